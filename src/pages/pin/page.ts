/**
 * The PIN dialog (`lmi_/pages/pin.html`), opened by the Case command with `navigateTo`: shows the
 * PIN large ("123 456") and announces it, the words for the customer, the direct link, when the
 * PIN was generated, Copy buttons, and "Email to customer" (a draft email activity on the Case,
 * opened for the agent to check and send). All text comes from the RESX strings; every value is
 * written as text, never as HTML.
 */
import { describeError } from "../../errors";
import { EmailActivity } from "../../model/schema";
import { decodePinDialogData, type PinDialogData } from "../../pin/dialog-data";
import { fetchSameOriginText, loadPageTranslator, type FetchText } from "../../strings/page-strings";
import { languageTag, pickLanguage, type Translator } from "../../strings/translator";
import { resolvePageXrm, type PageXrm } from "../../xrm/page-context";
import { xrmDataverseClient } from "../../xrm/web-api";
import { copyText } from "../clipboard";
import { createEmailDraft } from "./email-draft";
import { directLink, formatGeneratedAt, formatPin, spokenPin } from "./format";

export interface PinPageOptions {
  win?: Window;
  fetchText?: FetchText;
}

/** Fills the dialog from its query string; resolves when it is ready for the agent. */
export async function startPinPage({ win = window, fetchText = fetchSameOriginText }: PinPageOptions = {}): Promise<void> {
  const doc = win.document;
  const byId = <T extends HTMLElement = HTMLElement>(id: string): T => {
    const element = doc.getElementById(id);
    if (!element) throw new Error(`pin.html has no #${id}`);
    return element as T;
  };
  const setText = (id: string, text: string): void => {
    byId(id).textContent = text;
  };
  const main = byId("pin-dialog");
  const status = byId("pin-status");
  const error = byId("pin-error");
  /** Puts `text` into a live region; a change after a short pause is what screen readers announce. */
  const announce = (region: HTMLElement, text: string): void => {
    region.textContent = "";
    win.setTimeout(() => (region.textContent = text), 50);
  };
  const say = (text: string): void => announce(status, text);
  const showError = (text: string): void => {
    error.textContent = text;
    error.hidden = false;
  };

  const host: PageXrm = resolvePageXrm(win);
  const query = new URLSearchParams(win.location.search);
  const lcid = pickLanguage(host.context?.userSettings.languageId ?? Number(query.get("userlcid")));
  const t: Translator = await loadPageTranslator(lcid, fetchText);
  doc.documentElement.lang = languageTag(lcid);
  doc.title = t("Pin.Title");
  setText("pin-heading", t("Pin.Heading"));
  main.setAttribute("aria-busy", "false");

  const data = decodePinDialogData(query.get("data"));
  if (!data) {
    showError(t("Pin.Invalid"));
    doc.body.dataset.lmiState = "error";
    return;
  }

  const pin = formatPin(data.pin);
  const link = directLink(data.pin);
  setText("pin-label", t("Pin.PinLabel"));
  setText("pin-value", pin);
  setText("pin-spoken", t("Pin.PinSpoken", spokenPin(data.pin)));
  setText("pin-generated", data.generatedAt ? t("Pin.Generated", formatGeneratedAt(data.generatedAt, lcid)) : "");
  setText("tell-heading", t("Pin.TellHeading"));
  setText("tell-text", t("Pin.TellText", pin));
  setText("link-heading", t("Pin.LinkHeading"));
  setText("link-hint", t("Pin.LinkHint"));
  const anchor = byId<HTMLAnchorElement>("pin-link");
  anchor.href = link;
  anchor.textContent = link;

  const copyButton = (id: string, label: string, text: string, done: string): HTMLButtonElement => {
    const button = byId<HTMLButtonElement>(id);
    button.textContent = label;
    button.addEventListener("click", () => {
      void copyText(text, doc).then((copied) => say(copied ? done : t("Pin.CopyFailed")));
    });
    return button;
  };
  const copyPin = copyButton("copy-pin", t("Pin.CopyPin"), data.pin, t("Pin.CopiedPin"));
  copyButton("copy-link", t("Pin.CopyLink"), link, t("Pin.CopiedLink"));
  setUpEmail(byId<HTMLButtonElement>("email"), byId("email-hint"), host, data, t, say, showError);

  byId("pin-content").hidden = false;
  copyPin.focus();
  announce(byId("pin-announce"), t("Pin.PinSpoken", spokenPin(data.pin)));
  doc.body.dataset.lmiState = "ready";
}

function setUpEmail(
  button: HTMLButtonElement,
  hint: HTMLElement,
  host: PageXrm,
  data: PinDialogData,
  t: Translator,
  say: (text: string) => void,
  showError: (text: string) => void,
): void {
  button.textContent = t("Pin.Email");
  const { customer } = data;
  if (!host.xrm || !customer) {
    button.disabled = true;
    hint.textContent = t(host.xrm ? "Pin.EmailNoCustomer" : "Pin.EmailUnavailable");
    hint.hidden = false;
    return;
  }
  const { xrm, context } = host;
  let draftId: string | undefined;
  let busy = false;
  button.addEventListener("click", () => {
    if (busy) return;
    busy = true;
    button.setAttribute("aria-disabled", "true");
    void (async () => {
      try {
        if (!draftId) {
          say(t("Pin.EmailWorking"));
          draftId = await createEmailDraft(xrmDataverseClient(xrm.WebApi), { data: { ...data, customer }, userId: context.userSettings.userId, t });
          say(t("Pin.EmailDone"));
        }
        await xrm.Navigation.openForm({ entityName: EmailActivity.entity, entityId: draftId });
      } catch (failure) {
        console.error("LogMeIn Rescue: Email to customer failed:", describeError(failure));
        showError(t("Pin.EmailFailed", describeError(failure)));
      } finally {
        busy = false;
        button.removeAttribute("aria-disabled");
      }
    })();
  });
}

/**
 * The PIN dialog (`lmi_/pages/pin.html`), opened by the Case command with `navigateTo`: shows the
 * PIN large ("123 456") and announces it, the words for the customer, the direct link, when the
 * PIN was generated, Copy buttons, and "Email to customer" (a draft email activity on the Case,
 * opened for the agent to check and send). The dialog is drawn from its state
 * (`dialog-state.ts`); this file turns clicks into events and runs the copies and the email
 * calls. All text comes from the RESX strings; every value is written as text, never as HTML.
 */
import { describeError } from "../../errors";
import { EmailActivity } from "../../model/standard-tables";
import { decodePinDialogData, type PinDialogData } from "../../pin/dialog-data";
import { fetchSameOriginText, loadPageTranslator, type FetchText } from "../../strings/page-strings";
import { languageTag, pickLanguage, type Translator } from "../../strings/translator";
import { resolvePageXrm, type PageXrm } from "../../xrm/page-context";
import { xrmDataverseClient } from "../../xrm/web-api";
import { copyText } from "../clipboard";
import { requireElement, setFlag } from "../dom";
import { initialDialogState, nextDialogState, type DialogEvent, type PinDialogState } from "./dialog-state";
import { createEmailDraft } from "./email-draft";
import { directLink, formatGeneratedAt, formatPin, spokenPin } from "./format";

export interface PinPageOptions {
  win?: Window;
  fetchText?: FetchText;
}

/** Fills the dialog from its query string; resolves when it is ready for the agent. */
export async function startPinPage({ win = window, fetchText = fetchSameOriginText }: PinPageOptions = {}): Promise<void> {
  const doc = win.document;
  const byId = <T extends HTMLElement = HTMLElement>(id: string): T => requireElement<T>(doc, id);
  const setText = (id: string, text: string): void => {
    byId(id).textContent = text;
  };
  /** Puts `text` into a live region; a change after a short pause is what screen readers announce. */
  const announce = (region: HTMLElement, text: string): void => {
    region.textContent = "";
    win.setTimeout(() => (region.textContent = text), 50);
  };

  const host: PageXrm = resolvePageXrm(win);
  const query = new URLSearchParams(win.location.search);
  const lcid = pickLanguage(host.context?.userSettings.languageId ?? Number(query.get("userlcid")));
  const t: Translator = await loadPageTranslator(lcid, fetchText);
  doc.documentElement.lang = languageTag(lcid);
  doc.title = t("Pin.Title");
  setText("pin-heading", t("Pin.Heading"));
  byId("pin-dialog").setAttribute("aria-busy", "false");

  let state = initialDialogState(decodePinDialogData(query.get("data")), host.xrm !== null);
  const status = byId("pin-status");
  const error = byId("pin-error");
  const emailButton = byId<HTMLButtonElement>("email");
  let announced: PinDialogState["status"] = null;

  function render(): void {
    if (state.status !== announced) {
      announced = state.status;
      announce(status, announced ? t(announced.key, ...announced.args) : "");
    }
    if (state.error) {
      error.textContent = t(state.error.key, ...state.error.args);
      error.hidden = false;
    }
    setFlag(emailButton, "aria-disabled", state.email.busy);
  }

  /** Moves the state on by one event, draws it, and runs what the event asks of Dynamics. */
  function send(event: DialogEvent): void {
    const before = state;
    state = nextDialogState(before, event);
    if (state === before) return;
    render();
    if (event.type === "emailRequested" && host.xrm && state.data?.customer) void email(host.xrm, host.context, { ...state.data, customer: state.data.customer });
  }

  /** Creates the draft on the first click, then opens it. */
  async function email(xrm: Xrm.XrmStatic, context: Xrm.GlobalContext, data: PinDialogData & { customer: NonNullable<PinDialogData["customer"]> }): Promise<void> {
    try {
      let { draftId } = state.email;
      if (draftId === null) {
        draftId = await createEmailDraft(xrmDataverseClient(xrm.WebApi), { data, userId: context.userSettings.userId, t });
        send({ type: "emailDraftCreated", id: draftId });
      }
      await xrm.Navigation.openForm({ entityName: EmailActivity.entity, entityId: draftId });
      send({ type: "emailOpened" });
    } catch (failure) {
      console.error("LogMeIn Rescue: Email to customer failed:", describeError(failure));
      send({ type: "emailFailed", detail: describeError(failure) });
    }
  }

  render();
  const { data } = state;
  if (!data) {
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

  const copyButton = (id: string, label: string, what: "pin" | "link", value: string): HTMLButtonElement => {
    const button = byId<HTMLButtonElement>(id);
    button.textContent = label;
    button.addEventListener("click", () => {
      void copyText(value, doc).then((ok) => send({ type: "copied", what, ok }));
    });
    return button;
  };
  const copyPin = copyButton("copy-pin", t("Pin.CopyPin"), "pin", data.pin);
  copyButton("copy-link", t("Pin.CopyLink"), "link", link);

  emailButton.textContent = t("Pin.Email");
  const { unavailableKey } = state.email;
  if (unavailableKey) {
    emailButton.disabled = true;
    const hint = byId("email-hint");
    hint.textContent = t(unavailableKey);
    hint.hidden = false;
  } else emailButton.addEventListener("click", () => send({ type: "emailRequested" }));

  byId("pin-content").hidden = false;
  copyPin.focus();
  announce(byId("pin-announce"), t("Pin.PinSpoken", spokenPin(data.pin)));
  doc.body.dataset.lmiState = "ready";
}

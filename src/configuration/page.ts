/**
 * Starts the configuration page: finds the Client API context (the parent's `Xrm` when hosted,
 * `ClientGlobalContext.js.aspx` when opened on its own), loads the strings of the admin's
 * language, and runs the page over a `fetch`-based Web API client.
 *
 * One code path for both modes: the page always talks to the Web API with `fetch`, relative to
 * `getClientUrl()`. Hosted, the parent `Xrm.WebApi` would do for the configuration row, but the
 * page also needs the metadata (alternate key status) and the `ReactivateEntityKey` action, and
 * standalone there is no `Xrm.WebApi` at all. The page is served by the organisation, so the
 * requests are same-origin and carry the admin's session, exactly as `Xrm.WebApi` would.
 */
import { reactivateEntityKey, readEntityKeyState } from "../dataverse/entity-keys";
import { createWebApiClient, type FetchLike } from "../dataverse/web-api-client";
import { describeError } from "../errors";
import * as Session from "../model/session";
import { createElement } from "../pages/dom";
import { fetchSameOriginText, loadPageTranslator, type FetchText } from "../strings/page-strings";
import { pickLanguage } from "../strings/translator";
import { resolvePageXrmWithGlobalContext } from "../xrm/client-global-context";
import type { PageXrm } from "../xrm/page-context";
import { runConfigurationPage } from "./page-view";

export interface StartOptions {
  /** How the page finds its context (tests replace it). */
  resolveContext?: (win: Window) => Promise<PageXrm>;
  fetchText?: FetchText;
  fetch?: FetchLike;
}

function showFatal(doc: Document, text: string): void {
  const loading = doc.getElementById("lmi-loading");
  if (loading) loading.hidden = true;
  doc.getElementById("lmi-main")?.removeAttribute("aria-busy");
  const box = createElement(doc, "div", { className: "lmi-message lmi-message--error", textContent: text });
  box.setAttribute("role", "alert");
  (doc.getElementById("lmi-page-messages") ?? doc.body).appendChild(box);
  doc.body.dataset.lmiState = "error";
}

/** Runs the page in `win`; never rejects (problems are shown on the page and logged). */
export async function startConfigurationPage(win: Window, options: StartOptions = {}): Promise<void> {
  const doc = win.document;
  if (doc.readyState === "loading") {
    await new Promise<void>((resolve) => doc.addEventListener("DOMContentLoaded", () => resolve(), { once: true }));
  }
  let pageXrm: PageXrm;
  try {
    pageXrm = await (options.resolveContext ?? resolvePageXrmWithGlobalContext)(win);
  } catch (error) {
    console.error("LogMeIn Rescue: no Client API context", error);
    pageXrm = { kind: "none", xrm: null, context: null };
  }
  const languageId = pageXrm.context?.userSettings.languageId;
  const t = await loadPageTranslator(languageId, options.fetchText ?? fetchSameOriginText);
  if (!pageXrm.context) {
    showFatal(doc, t("Config.NoContext"));
    return;
  }
  try {
    const clientUrl = pageXrm.context.getClientUrl();
    const api = createWebApiClient({ clientUrl, fetch: options.fetch });
    await runConfigurationPage({
      doc,
      t,
      lcid: pickLanguage(languageId),
      clientUrl,
      client: api,
      sessionKey: {
        read: () => readEntityKeyState(api, Session.entity, Session.sessionKey),
        reactivate: () => reactivateEntityKey(api, Session.entity, Session.sessionKey),
      },
    });
  } catch (error) {
    console.error("LogMeIn Rescue: the configuration page failed", error);
    showFatal(doc, t("Config.PageFailed", describeError(error)));
  }
}

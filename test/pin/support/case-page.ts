/**
 * A saved Case open in "Dynamics": the host page the end-to-end test serves on 127.0.0.1, with the
 * Client API the built scripts use and the Case form's context, then the BUILT `case.ribbon.js`
 * loaded with the form (as the command's enable rule makes the platform do).
 *
 * What a person would see is put into the page, not only recorded: the progress indicator, the
 * form notification bar, the error dialog (message, and the details behind "Details"), and the
 * dialog `Xrm.Navigation.navigateTo` opens — an iframe of the real web resource
 * (`/WebResources/<name>?data=<data>`, as Dynamics passes `data`), whose parent window is this
 * page and its `Xrm`. Like the platform's dialogs, `openErrorDialog` and `navigateTo` resolve when
 * the person closes them.
 *
 * `Xrm.WebApi` calls go to `window.__agentWebApi(op, entity, args)`, which the test exposes from
 * Node (support/agent-web-api.ts): the agent's view of the fake Dataverse the service uses.
 */

export const AGENT_WEB_API_BINDING = "__agentWebApi";

export interface CasePageOptions {
  caseId: string;
  ticketNumber: string;
  customer: { id: string; name: string; entityType: "contact" | "account" };
  agent: { id: string; name: string };
  languageId: 1033 | 1043;
  /** The RESX strings the platform answers `getResourceString` with (the built `Strings.<lcid>.resx`). */
  strings: ReadonlyMap<string, string>;
  /** Where the built web resources are served (`/WebResources/`). */
  webResourcesPath: string;
}

/** JSON for an inline script: `<` escaped so no value can close the script element. */
const inlineJson = (value: unknown): string => JSON.stringify(value).replace(/</g, "\\u003c");
const braced = (id: string): string => `{${id.toUpperCase()}}`;

export function casePageHtml(options: CasePageOptions): string {
  const form = {
    id: braced(options.caseId),
    attributes: {
      customerid: [{ id: braced(options.customer.id), name: options.customer.name, entityType: options.customer.entityType }],
      ticketnumber: options.ticketNumber,
      statecode: 0,
    },
  };
  const user = { userId: braced(options.agent.id), userName: options.agent.name, languageId: options.languageId };
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Case: ${escapeHtml(options.ticketNumber)} - Dynamics 365</title><link rel="icon" href="data:,">
<style>
  body { font-family: "Segoe UI", sans-serif; margin: 0; }
  #notifications:empty, #progress:empty { display: none; }
  #progress, .lmi-dialog { position: fixed; inset: 10% 20%; background: #fff; border: 1px solid #888; padding: 8px; }
  .lmi-dialog iframe { width: 100%; height: 90%; border: 0; }
</style>
<script>
(() => {
  const bindingName = ${inlineJson(AGENT_WEB_API_BINDING)};
  const strings = ${inlineJson(Object.fromEntries(options.strings))};
  const form = ${inlineJson(form)};
  const user = ${inlineJson(user)};
  const webResources = ${inlineJson(options.webResourcesPath)};
  const recorded = (window.__recorded = { navigateTo: [], errorDialogs: [], notifications: [], progress: [] });
  const element = (tag, attributes, text) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    return node;
  };
  /** The platform rejects with { errorCode, message }, not an Error. */
  const webApi = async (op, entity, ...args) => {
    const answer = await window[bindingName](op, entity, args);
    if (!answer.ok) throw answer.error;
    return answer.value;
  };
  const showNotifications = () => {
    const bar = document.getElementById("notifications");
    bar.replaceChildren(...recorded.notifications.map((n) => element("p", { role: "status", "data-level": n.level, "data-id": n.id }, n.message)));
  };
  window.Xrm = {
    WebApi: {
      retrieveMultipleRecords: (entity, options, maxPageSize) => webApi("retrieveMultipleRecords", entity, options ?? "", maxPageSize ?? null),
      retrieveRecord: (entity, id, options) => webApi("retrieveRecord", entity, id, options ?? ""),
      createRecord: (entity, data) => webApi("createRecord", entity, data),
      updateRecord: (entity, id, data) => webApi("updateRecord", entity, id, data),
      deleteRecord: (entity, id) => webApi("deleteRecord", entity, id),
    },
    Utility: {
      getGlobalContext: () => ({ userSettings: { ...user }, getClientUrl: () => location.origin, getUserId: () => user.userId }),
      getResourceString: (name, key) => (name === "lmi_/strings/Strings" && Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : null),
      showProgressIndicator: (message) => {
        recorded.progress.push(message);
        document.getElementById("progress").textContent = message;
      },
      closeProgressIndicator: () => {
        recorded.progress.push(null);
        document.getElementById("progress").textContent = "";
      },
    },
    Navigation: {
      navigateTo: (pageInput, navigationOptions) =>
        new Promise((resolve) => {
          recorded.navigateTo.push({ pageInput, options: navigationOptions });
          const dialog = element("div", { id: "lmi-dialog", class: "lmi-dialog", role: "dialog", "aria-label": navigationOptions?.title ?? "" });
          const close = element("button", { id: "lmi-dialog-close", type: "button", "aria-label": "Close" }, "\\u2715");
          const src = webResources + pageInput.webresourceName + (pageInput.data === undefined ? "" : "?data=" + encodeURIComponent(pageInput.data));
          dialog.append(element("h2", {}, navigationOptions?.title ?? ""), close, element("iframe", { id: "lmi-dialog-frame", title: navigationOptions?.title ?? "", src }));
          close.addEventListener("click", () => {
            dialog.remove();
            resolve(undefined);
          });
          document.body.append(dialog);
        }),
      openErrorDialog: (errorOptions) =>
        new Promise((resolve) => {
          recorded.errorDialogs.push({ message: errorOptions.message, details: errorOptions.details });
          const dialog = element("div", { id: "error-dialog", class: "lmi-dialog", role: "alertdialog", "aria-labelledby": "error-message" });
          const details = element("details", {});
          details.append(element("summary", {}, "Details"), element("pre", { id: "error-details" }, errorOptions.details ?? ""));
          const ok = element("button", { id: "error-ok", type: "button" }, "OK");
          ok.addEventListener("click", () => {
            dialog.remove();
            resolve(undefined);
          });
          dialog.append(element("p", { id: "error-message" }, errorOptions.message ?? ""), details, ok);
          document.body.append(dialog);
        }),
      openConfirmDialog: (confirmOptions) => {
        recorded.errorDialogs.push({ message: "unexpected confirm dialog: " + JSON.stringify(confirmOptions), details: "" });
        return Promise.resolve({ confirmed: false });
      },
      openForm: (formOptions) => {
        recorded.errorDialogs.push({ message: "unexpected openForm: " + JSON.stringify(formOptions), details: "" });
        return Promise.resolve({ savedEntityReference: [] });
      },
    },
  };
  window.formContext = {
    data: {
      getIsDirty: () => false,
      save: () => Promise.resolve(),
      entity: { getId: () => form.id, getEntityName: () => "incident" },
    },
    getAttribute: (name) => (Object.prototype.hasOwnProperty.call(form.attributes, name) ? { getValue: () => form.attributes[name] } : null),
    ui: {
      getFormType: () => 2,
      setFormNotification: (message, level, id) => {
        recorded.notifications = recorded.notifications.filter((n) => n.id !== id).concat([{ message, level, id }]);
        showNotifications();
        return true;
      },
      clearFormNotification: (id) => {
        recorded.notifications = recorded.notifications.filter((n) => n.id !== id);
        showNotifications();
        return true;
      },
    },
  };
})();
</script>
<script src="${escapeHtml(options.webResourcesPath)}lmi_/scripts/case.ribbon.js"></script>
</head><body>
<div id="notifications" aria-live="polite"></div>
<div id="progress" role="progressbar"></div>
<h1>Case ${escapeHtml(options.ticketNumber)}</h1>
<p>Customer: ${escapeHtml(options.customer.name)}</p>
</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

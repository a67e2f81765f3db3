/**
 * The LogMeIn Configuration main form: the page's prefill and field rules for admins who edit
 * the row as a record (`LogMeInRescue.Configuration.Form.onLoad` / `.onEnvironmentChange`).
 *
 * - Create form: Production with its endpoint, and this organisation's URL, when empty.
 * - Environment change: Production and Beta prefill the endpoint; Custom keeps it.
 * - Each checked column re-checks as it changes (trimmed; tenant id braces removed; the service URL
 *   reduced to its root, without a trailing slash); a problem
 *   shows as the control's notification, which also keeps the record from being saved; Save is
 *   blocked with a form notification while a problem remains.
 * - Empty mandatory columns are left to the platform (required level), so no double messages.
 * - A Dynamics URL of another organisation gets a recommendation with "apply" = use this one.
 */
import * as Configuration from "../model/configuration";
import type { Translator } from "../strings/translator";
import { FormType } from "../xrm/form-type";
import { DEFAULT_ENVIRONMENT, defaultEndpointFor, endpointAfterEnvironmentChange } from "./environments";
import { checkCompanyId, checkDynamicsUrl, checkEndpoint, checkServiceUrl, checkSsoPassword, checkTenantId, isRequiredProblem, organisationUrl, sameOrganisation, type FieldCheck } from "./validation";

export interface ConfigurationFormDeps {
  t: Translator;
  /** `getClientUrl()` of the current organisation. */
  clientUrl: string;
}

const f = Configuration.fields;

/** Unique ids of the product's notifications on this form. */
export const NotificationIds = {
  field: (column: string) => `lmi.config.${column}`,
  dynamicsUrlMismatch: "lmi.config.dynamicsurl.mismatch",
  formInvalid: "lmi.config.invalid",
} as const;

type TextColumn = typeof f.endpoint | typeof f.companyId | typeof f.ssoPassword | typeof f.serviceUrl | typeof f.dynamicsUrl | typeof f.tenantId;

const TEXT_COLUMNS: readonly TextColumn[] = [f.endpoint, f.companyId, f.ssoPassword, f.serviceUrl, f.dynamicsUrl, f.tenantId];
const REQUIRED_COLUMNS: readonly string[] = [f.environment, f.endpoint, f.serviceUrl, f.dynamicsUrl, f.tenantId];

function textValue(form: Xrm.FormContext, column: string): string {
  const value: unknown = form.getAttribute(column)?.getValue();
  return typeof value === "string" ? value : "";
}

function check(form: Xrm.FormContext, column: TextColumn, clientUrl: string): FieldCheck {
  const value = textValue(form, column);
  switch (column) {
    case f.endpoint:
      return checkEndpoint(value);
    case f.companyId:
      return checkCompanyId(value, textValue(form, f.ssoPassword) !== "");
    case f.ssoPassword:
      return checkSsoPassword(value);
    case f.serviceUrl:
      return checkServiceUrl(value);
    case f.dynamicsUrl:
      return checkDynamicsUrl(value, clientUrl);
    case f.tenantId:
      return checkTenantId(value);
  }
}

function control(form: Xrm.FormContext, column: string): Xrm.Controls.StandardControl | null {
  return form.getControl<Xrm.Controls.StandardControl>(column);
}

/**
 * Checks one column, writes back the cleaned value (trimmed, braces removed; never for the
 * password), and shows or clears the control's notification. Answers whether it is valid
 * (an empty mandatory column counts as valid here: the platform reports it).
 */
function checkColumn(form: Xrm.FormContext, column: TextColumn, deps: ConfigurationFormDeps): boolean {
  const result = check(form, column, deps.clientUrl);
  const attribute = form.getAttribute(column);
  const target = control(form, column);
  if (result.ok && column !== f.ssoPassword && attribute && result.value !== textValue(form, column)) {
    attribute.setValue(result.value === "" ? null : result.value);
  }
  const showProblem = !result.ok && !isRequiredProblem(result);
  if (!result.ok && showProblem) target?.setNotification(deps.t(result.problem.key, ...result.problem.args), NotificationIds.field(column));
  else target?.clearNotification(NotificationIds.field(column));
  if (column === f.dynamicsUrl) recommendCurrentOrganisation(form, deps, result.ok);
  if (column === f.ssoPassword) {
    form.getAttribute(f.companyId)?.setRequiredLevel(textValue(form, f.ssoPassword) !== "" ? "required" : "none");
  }
  return !showProblem;
}

function recommendCurrentOrganisation(form: Xrm.FormContext, deps: ConfigurationFormDeps, valid: boolean): void {
  const target = control(form, f.dynamicsUrl);
  if (!target) return;
  target.clearNotification(NotificationIds.dynamicsUrlMismatch);
  const value = textValue(form, f.dynamicsUrl);
  if (!valid || value === "" || sameOrganisation(value, deps.clientUrl)) return;
  const current = organisationUrl(deps.clientUrl);
  target.addNotification({
    uniqueId: NotificationIds.dynamicsUrlMismatch,
    notificationLevel: "RECOMMENDATION",
    messages: [deps.t("Config.Form.MismatchTitle")],
    actions: [
      {
        message: deps.t("Config.Form.MismatchAction", current),
        actions: [
          () => {
            form.getAttribute(f.dynamicsUrl)?.setValue(current);
            checkColumn(form, f.dynamicsUrl, deps);
          },
        ],
      },
    ],
  });
}

/** Checks every column; answers whether the record may be saved. */
function checkConfigurationForm(form: Xrm.FormContext, deps: ConfigurationFormDeps): boolean {
  let valid = true;
  for (const column of TEXT_COLUMNS) {
    if (form.getAttribute(column) && !checkColumn(form, column, deps)) valid = false;
  }
  if (valid) form.ui.clearFormNotification(NotificationIds.formInvalid);
  return valid;
}

// Handlers added by onLoad, per attribute / entity, so a second onLoad replaces rather than doubles them.
const changeHandlers = new WeakMap<object, Xrm.Events.ContextSensitiveHandler>();
const saveHandlers = new WeakMap<object, Xrm.Events.ContextSensitiveHandler>();

function replaceOnChange(attribute: Xrm.Attributes.Attribute, handler: Xrm.Events.ContextSensitiveHandler): void {
  const previous = changeHandlers.get(attribute);
  if (previous) attribute.removeOnChange(previous);
  attribute.addOnChange(handler);
  changeHandlers.set(attribute, handler);
}

/** Form OnLoad. */
export function configurationFormOnLoad(form: Xrm.FormContext, deps: ConfigurationFormDeps): void {
  // getFormType() is typed as XrmEnum.FormType (an ambient const enum); compare as a number.
  const formType: number = form.ui.getFormType();
  if (formType === FormType.BulkEdit) return;

  if (formType === FormType.Create) {
    const environment = form.getAttribute<Xrm.Attributes.OptionSetAttribute>(f.environment);
    if (environment?.getValue() === null) environment.setValue(DEFAULT_ENVIRONMENT);
    const endpoint = form.getAttribute(f.endpoint);
    const prefill = defaultEndpointFor(environment?.getValue() ?? DEFAULT_ENVIRONMENT);
    if (endpoint && textValue(form, f.endpoint).trim() === "" && prefill) endpoint.setValue(prefill);
    const dynamicsUrl = form.getAttribute(f.dynamicsUrl);
    if (dynamicsUrl && textValue(form, f.dynamicsUrl).trim() === "") dynamicsUrl.setValue(organisationUrl(deps.clientUrl));
  }

  for (const column of REQUIRED_COLUMNS) form.getAttribute(column)?.setRequiredLevel("required");

  for (const column of TEXT_COLUMNS) {
    const attribute = form.getAttribute(column);
    if (!attribute) continue;
    replaceOnChange(attribute, () => {
      checkColumn(form, column, deps);
      if (column === f.ssoPassword && form.getAttribute(f.companyId)) checkColumn(form, f.companyId, deps);
      if (checkConfigurationFormQuietly(form, deps.clientUrl)) form.ui.clearFormNotification(NotificationIds.formInvalid);
    });
  }

  const entity = form.data.entity;
  const previousSave = saveHandlers.get(entity);
  if (previousSave) entity.removeOnSave(previousSave);
  const onSave = (context: Xrm.Events.EventContext): void => {
    if (checkConfigurationForm(form, deps)) return;
    (context as Xrm.Events.SaveEventContext).getEventArgs().preventDefault();
    form.ui.setFormNotification(deps.t("Config.Form.Invalid"), "ERROR", NotificationIds.formInvalid);
  };
  entity.addOnSave(onSave);
  saveHandlers.set(entity, onSave);

  // Show problems of stored values right away (empty columns stay quiet until saved).
  for (const column of TEXT_COLUMNS) {
    if (form.getAttribute(column) && textValue(form, column) !== "") checkColumn(form, column, deps);
  }
  if (form.getAttribute(f.ssoPassword)) form.getAttribute(f.companyId)?.setRequiredLevel(textValue(form, f.ssoPassword) !== "" ? "required" : "none");
}

/** Whether every column passes, without touching notifications. */
function checkConfigurationFormQuietly(form: Xrm.FormContext, clientUrl: string): boolean {
  return TEXT_COLUMNS.every((column) => {
    if (!form.getAttribute(column)) return true;
    const result = check(form, column, clientUrl);
    return result.ok || isRequiredProblem(result);
  });
}

/** OnChange of `lmi_environment`: Production / Beta prefill the endpoint, Custom keeps it. */
export function configurationFormOnEnvironmentChange(form: Xrm.FormContext, deps: ConfigurationFormDeps): void {
  const environment = form.getAttribute<Xrm.Attributes.OptionSetAttribute>(f.environment);
  const endpoint = form.getAttribute(f.endpoint);
  if (!environment || !endpoint) return;
  const current = textValue(form, f.endpoint);
  const next = endpointAfterEnvironmentChange(environment.getValue(), current);
  if (next !== current) endpoint.setValue(next);
  checkColumn(form, f.endpoint, deps);
}

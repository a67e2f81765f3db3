/**
 * Field rules of the LogMeIn configuration, shared by the configuration page and the form.
 *
 * Each rule takes what the admin typed and answers either the value to store (trimmed; a tenant
 * id in lower case without braces) or a problem: a RESX key plus arguments, so the caller decides the language
 * and where to show it. Rules never throw.
 */
import * as Configuration from "../model/configuration";
import type { EnvironmentValue } from "../model/configuration";
import { normaliseServiceUrl } from "../settings/service-url";
import { parseGuid } from "../common/guid";
import type { FormatArg } from "../strings/translator";
import { isEnvironmentValue, PRODUCTION_ENDPOINT } from "./environments";

export interface FieldProblem {
  /** RESX key of the message (keys `Config.Error.*`). */
  key: string;
  args: FormatArg[];
}

export type FieldCheck<T = string> = { ok: true; value: T } | { ok: false; problem: FieldProblem };

/** The fields of the configuration that have rules (the four options have none). */
export type ConfigurationField = "environment" | "endpoint" | "companyId" | "ssoPassword" | "serviceUrl" | "dynamicsUrl" | "tenantId";

const REQUIRED_KEY = "Config.Error.Required";

function ok<T>(value: T): FieldCheck<T> {
  return { ok: true, value };
}

function problem<T = string>(key: string, ...args: FormatArg[]): FieldCheck<T> {
  return { ok: false, problem: { key, args } };
}

/** True when the problem is only "this field is empty" (pages hide it until the field is left). */
export function isRequiredProblem(check: FieldCheck<unknown>): boolean {
  return !check.ok && check.problem.key === REQUIRED_KEY;
}

/** `lmi_environment`: one of Production, Beta, Custom. */
export function checkEnvironment(value: number | null | undefined): FieldCheck<EnvironmentValue> {
  if (value === null || value === undefined) return problem("Config.Error.EnvironmentRequired");
  return isEnvironmentValue(value) ? ok(value) : problem("Config.Error.EnvironmentRequired");
}

interface UrlRuleOptions {
  maxLength: number;
  /** An example shown in the "not a web address" message. */
  example: string;
  /** An http address accepted anyway (the organisation's own URL, on-premises without TLS). */
  allowHttpFor?: string;
}

/**
 * An https address without credentials, query or fragment. `http:` gets its own message (the
 * most likely mistake); an address without a scheme gets "start with https://" and the corrected
 * address as a suggestion.
 */
function checkHttpsUrl(raw: string, options: UrlRuleOptions): FieldCheck {
  const value = raw.trim();
  if (value === "") return problem(REQUIRED_KEY);
  if (value.length > options.maxLength) return problem("Config.Error.TooLong", options.maxLength);
  if (/\s/.test(value)) return problem("Config.Error.UrlSpaces");
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  const httpAllowed = scheme === "http" && options.allowHttpFor !== undefined && sameOrganisation(value, options.allowHttpFor);
  if (scheme === "http" && !httpAllowed) return problem("Config.Error.UrlHttp");
  if (scheme === undefined || !value.includes("://")) {
    return /^[a-z0-9-]+(\.[a-z0-9-]+)+([/:].*)?$/i.test(value) ? problem("Config.Error.UrlNoScheme", `https://${value}`) : problem("Config.Error.UrlInvalid", options.example);
  }
  if (scheme !== "https" && !httpAllowed) return problem("Config.Error.UrlNoScheme", `https://${value.slice(value.indexOf("://") + 3)}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return problem("Config.Error.UrlInvalid", options.example);
  }
  if (url.hostname === "") return problem("Config.Error.UrlInvalid", options.example);
  if (url.username !== "" || url.password !== "") return problem("Config.Error.UrlCredentials");
  if (value.includes("?") || value.includes("#")) return problem("Config.Error.UrlQuery");
  return ok(value);
}

/** `lmi_endpoint`: the Rescue API base the integration service calls. */
export function checkEndpoint(raw: string): FieldCheck {
  return checkHttpsUrl(raw, { maxLength: Configuration.maxLength.endpoint, example: PRODUCTION_ENDPOINT });
}

/** An example integration service URL, shown in messages and placeholders. */
export const SERVICE_URL_EXAMPLE = "https://integration.contoso.com";

/**
 * `lmi_serviceurl`: the integration service's root address — https, no credentials, no path beyond
 * the root, no query or fragment. A trailing slash is tolerated; the value to store is the origin
 * (`https://Svc.example.com/` → `https://svc.example.com`). An address with a path gets the root as
 * the suggestion.
 */
export function checkServiceUrl(raw: string): FieldCheck {
  const checked = checkHttpsUrl(normaliseServiceUrl(raw), { maxLength: Configuration.maxLength.serviceUrl, example: SERVICE_URL_EXAMPLE });
  if (!checked.ok) return checked;
  const url = new URL(checked.value);
  return url.pathname === "/" ? ok(url.origin) : problem("Config.Error.ServiceUrlPath", url.origin);
}

/**
 * `lmi_dynamicsurl`: the organisation the integration service writes back to. https, except
 * that the current organisation's own URL (`getClientUrl()`) is accepted as it is, also when an
 * on-premises organisation is served over http.
 */
export function checkDynamicsUrl(raw: string, clientUrl?: string): FieldCheck {
  const allowHttpFor = clientUrl !== undefined && /^http:\/\//i.test(clientUrl.trim()) ? clientUrl : undefined;
  return checkHttpsUrl(raw, { maxLength: Configuration.maxLength.dynamicsUrl, example: "https://contoso.crm4.dynamics.com", allowHttpFor });
}

/**
 * `lmi_companyid`: digits only (Rescue answers INVALIDPARAM_COMPANY otherwise). Optional, except
 * when an SSO password is (or will be) stored: single sign-on needs both.
 */
export function checkCompanyId(raw: string, ssoPasswordWillBeStored: boolean): FieldCheck {
  const value = raw.trim();
  if (value === "") return ssoPasswordWillBeStored ? problem("Config.Error.CompanyIdNeeded") : ok("");
  if (!/^[0-9]+$/.test(value)) return problem("Config.Error.CompanyIdDigits");
  if (value.length > Configuration.maxLength.companyId) return problem("Config.Error.TooLong", Configuration.maxLength.companyId);
  return ok(value);
}

/**
 * A replacement SSO password as typed ("" = keep the stored one). Passwords are never trimmed;
 * only the column length is enforced.
 */
export function checkSsoPassword(raw: string): FieldCheck {
  if (raw.length > Configuration.maxLength.ssoPassword) return problem("Config.Error.TooLong", Configuration.maxLength.ssoPassword);
  return ok(raw);
}

/**
 * `lmi_tenantid`: the Office 365 / Entra tenant GUID, stored in the product's form for ids (lower
 * case, no braces): braces, blanks and capitals as people paste them are accepted.
 */
export function checkTenantId(raw: string): FieldCheck {
  const tenantId = parseGuid(raw);
  if (tenantId === null) return problem(raw.trim() === "" ? REQUIRED_KEY : "Config.Error.TenantIdFormat");
  if (/^[0-]+$/.test(tenantId)) return problem("Config.Error.TenantIdEmpty");
  return ok(tenantId);
}

/**
 * The current organisation's URL (`getClientUrl()`) as the Dynamics URL field stores and shows
 * it: without trailing slashes.
 */
export function organisationUrl(clientUrl: string): string {
  return clientUrl.trim().replace(/\/+$/, "");
}

/**
 * An organisation URL in the form compared by `sameOrganisation`: lower-case scheme and host,
 * path without trailing slashes (on-premises organisations have one: `https://server/org`).
 */
export function comparableOrganisationUrl(url: string): string {
  try {
    const parsed = new URL(url.trim());
    return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, "")}`.toLowerCase();
  } catch {
    return url.trim().replace(/\/+$/, "").toLowerCase();
  }
}

/** True when the Dynamics URL names the organisation the admin is signed in to. */
export function sameOrganisation(dynamicsUrl: string, clientUrl: string): boolean {
  return comparableOrganisationUrl(dynamicsUrl) === comparableOrganisationUrl(clientUrl);
}

/**
 * Production / Beta / Custom ↔ Rescue API endpoint: the one mapping the configuration page and
 * the configuration form share (seed "De oplossingsapp configureren", step 3: choosing Production
 * or Beta prefills the endpoint, which stays editable).
 *
 * Production is LogMeIn's documented API base. **Beta is an assumption**: no beta host is
 * documented publicly (reference/rescue-api.md §1), so the prefill is a best guess that the admin
 * can overwrite; the UI hint and the README say so.
 */
import { Environment, type EnvironmentValue } from "../model/configuration";

/** Documented Rescue API base (https://secure.logmeinrescue.com/API/<method>.aspx). */
export const PRODUCTION_ENDPOINT = "https://secure.logmeinrescue.com/API";
/** ASSUMED Rescue beta API base: not documented publicly; the admin may overwrite it. */
export const BETA_ENDPOINT = "https://securebeta.logmeinrescue.com/API";

/** The environment a new configuration starts with. */
export const DEFAULT_ENVIRONMENT: EnvironmentValue = Environment.Production;

export interface EnvironmentChoice {
  value: EnvironmentValue;
  /** RESX key of the label. */
  labelKey: string;
  /** The endpoint the choice prefills; null for Custom (keeps what is typed). */
  endpoint: string | null;
}

/** The choices in display order. */
export const ENVIRONMENT_CHOICES: readonly EnvironmentChoice[] = [
  { value: Environment.Production, labelKey: "Config.Environment.Production", endpoint: PRODUCTION_ENDPOINT },
  { value: Environment.Beta, labelKey: "Config.Environment.Beta", endpoint: BETA_ENDPOINT },
  { value: Environment.Custom, labelKey: "Config.Environment.Custom", endpoint: null },
];

/** True for the three `lmi_environment` choice values. */
export function isEnvironmentValue(value: unknown): value is EnvironmentValue {
  return typeof value === "number" && ENVIRONMENT_CHOICES.some((choice) => choice.value === value);
}

/** The endpoint an environment prefills, or null (Custom, unknown). */
export function defaultEndpointFor(environment: number | null | undefined): string | null {
  return ENVIRONMENT_CHOICES.find((choice) => choice.value === environment)?.endpoint ?? null;
}

/**
 * The endpoint after the admin picks `environment`: Production and Beta prefill their base,
 * Custom (or an unknown value) keeps what is there.
 */
export function endpointAfterEnvironmentChange(environment: number | null | undefined, currentEndpoint: string): string {
  return defaultEndpointFor(environment) ?? currentEndpoint;
}

/** Lower-case scheme and host, no trailing slashes: how two endpoints are compared. */
function comparable(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, "");
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)(.*)$/i.exec(trimmed);
  return match ? `${(match[1] ?? "").toLowerCase()}${match[2] ?? ""}` : trimmed;
}

/**
 * The environment an endpoint belongs to: Production or Beta when it is that environment's base
 * (case of scheme and host and a trailing slash ignored), Custom otherwise. Used when a stored row
 * has no environment yet.
 */
export function environmentForEndpoint(endpoint: string): EnvironmentValue {
  const wanted = comparable(endpoint);
  const match = ENVIRONMENT_CHOICES.find((choice) => choice.endpoint !== null && comparable(choice.endpoint) === wanted);
  return match ? match.value : Environment.Custom;
}

/**
 * Which Rescue API endpoints the service may call. The company's single sign-on password and the
 * agents' auth codes go only to an https endpoint whose host (and port) is on the operator's allow
 * list (`RESCUE_ALLOWED_HOSTS`): whoever can edit the configuration row cannot make the service
 * send them anywhere else.
 */

/** The hosts allowed when the operator sets none: Rescue's production and beta API hosts. */
export const DEFAULT_RESCUE_ALLOWED_HOSTS = ["secure.logmeinrescue.com", "securebeta.logmeinrescue.com"] as const;

/** A host name or IP literal with an optional port, nothing else. */
const HOST_ENTRY = /^(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?::\d{1,5})?$/i;

/**
 * `host[:port]` as `URL.host` spells it — lower case, the default https port dropped — or null
 * when `entry` is not a host with an optional port (a scheme, path or credentials make it null).
 */
export function normalizeHostEntry(entry: string): string | null {
  const text = entry.trim();
  if (!HOST_ENTRY.test(text)) return null;
  try {
    return new URL(`https://${text}`).host;
  } catch {
    return null;
  }
}

/** What the allow list says about a configured endpoint. */
export type EndpointVerdict = "allowed" | "missing" | "invalid" | "notAllowed";

/** Checks `endpoint` (the configuration's `lmi_endpoint`) against `allowedHosts` (normalized entries). */
export function checkRescueEndpoint(endpoint: string, allowedHosts: readonly string[]): EndpointVerdict {
  const text = endpoint.trim();
  if (text === "") return "missing";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "invalid";
  }
  if (url.protocol !== "https:" || url.username !== "" || url.password !== "") return "notAllowed";
  return allowedHosts.includes(url.host) ? "allowed" : "notAllowed";
}

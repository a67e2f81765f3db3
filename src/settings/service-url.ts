/**
 * The integration service URL (`lmi_configuration.lmi_serviceurl`, DESIGN.md §5): the root address of
 * the product's integration service. Browsers post PIN requests to `<root>/api/pin`; Rescue posts
 * session data to `<root>/api/integration`. One place for how the stored text becomes that root,
 * shared by the PIN request, the configuration page and form, and the checklist.
 */
import { PIN_API_PATH } from "../pin/protocol";

/** The service's paths the product names (DESIGN.md §8). */
export const SERVICE_PATHS = {
  pin: PIN_API_PATH,
  /** Liveness, unauthenticated: the PIN request probes it to tell a CORS refusal from an unreachable service. */
  health: "/healthz",
  /** Rescue's Post to URL target (Admin Center, both boxes). */
  integration: "/api/integration",
} as const;

/** What the admin typed, as stored: trimmed, trailing slashes dropped (`https://svc.example.com/` → `https://svc.example.com`). */
export function normaliseServiceUrl(raw: string): string {
  return raw.trim().replace(/\/+$/, "");
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * The root the browser calls, from the stored value: an `https:` origin, or an `http:` origin on
 * this computer (127.0.0.1, localhost, [::1]: development and tests; plain http never leaves the
 * machine). Null when the value is not such a root: another scheme, a path beyond `/`, a query,
 * a fragment or credentials. Trailing slashes are tolerated.
 */
export function serviceRoot(stored: string): string | null {
  const value = normaliseServiceUrl(stored);
  if (value === "" || /[\s?#]/.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  const secure = url.protocol === "https:";
  const loopback = url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname);
  if ((!secure && !loopback) || url.username !== "" || url.password !== "" || url.pathname !== "/") return null;
  return url.origin;
}

/** `<root><path>` for one of `SERVICE_PATHS`. */
export function serviceAddress(root: string, path: string): string {
  return `${root}${path}`;
}

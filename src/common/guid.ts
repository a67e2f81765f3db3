/**
 * GUIDs, as the product meets them: Dataverse row ids, the Entra tenant id, the Case id Rescue
 * sends back in `Tracking0`, the ids in the PIN broker's protocol and the PIN dialog's data.
 * Runtime-neutral: the browser bundles and the integration service both import it.
 *
 * The product sends and compares ids in one form: lower case, without braces
 * (`7d5e1a2b-1111-4222-8333-944445555666`).
 */

/** `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` of hex digits, either case, without braces. */
export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `{ABC-…}` or `abc-…` → `abc-…`: how ids are compared and sent (no check that it is a GUID). */
export function normalizeId(id: string): string {
  return id.replace(/[{}]/g, "").toLowerCase();
}

/**
 * A GUID as people and systems write it (surrounding blanks, braces, either case) in the product's
 * form; null when the text is not one GUID.
 */
export function parseGuid(text: string): string | null {
  // Braces only in pairs; what is left must be the GUID alone (the pattern refuses blanks and braces).
  const id = text.trim().replace(/^\{\s*(.*?)\s*\}$/, "$1");
  return GUID_PATTERN.test(id) ? id.toLowerCase() : null;
}

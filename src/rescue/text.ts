/**
 * Rescue's field limits (requestPINCode), and truncation to them.
 *
 * Rescue is an ASP.NET service: its limits count UTF-16 code units, as .NET's `string.Length`
 * and SQL Server's `nvarchar(n)` do. JavaScript strings count the same units, so a limit is
 * checked with `.length`; truncation then stops at the last whole user-perceived character
 * (grapheme cluster) that fits, so that neither a surrogate pair (😀) nor a combined character
 * (e + ◌́, 👩‍💻, 🇳🇱) is cut in half.
 */

/** Maximum lengths of the requestPINCode fields (Rescue API guide). */
export const RESCUE_FIELD_LIMITS = {
  cfield0: 64,
  cfield1: 512,
  cfield2: 512,
  cfield3: 256,
  cfield4: 64,
  cfield5: 64,
  tracking0: 64,
} as const;

/** The longest prefix of `value` that fits in `maxLength` UTF-16 code units and ends on a character boundary. */
export function truncateText(value: string, maxLength: number): string {
  let end = 0;
  if (value.length <= maxLength) return value;
  for (const { index, segment } of new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(value)) {
    if (index + segment.length > maxLength) break;
    end = index + segment.length;
  }
  return value.slice(0, end);
}

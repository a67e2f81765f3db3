/**
 * The product's one rule for cutting text to a length — Dataverse columns, Rescue's fields, the
 * names the browser and the service write, the chat log's tail. Runtime-neutral: the browser
 * bundles and the integration service both import it.
 *
 * Lengths count UTF-16 code units, as Dataverse (SQL Server `nvarchar`, .NET `string.Length`) and
 * Rescue (ASP.NET) count them, and as JavaScript's `.length` does. A cut falls on a boundary
 * between user-perceived characters (grapheme clusters), so that neither a surrogate pair (😀)
 * nor a combined character (e + ◌́, 👩‍💻, 🇳🇱) is cut in half: the text is then a little shorter
 * than the limit. Finding the boundary looks only around the cut, so a 1 MiB chat log costs no
 * more than a short name.
 */

let graphemes: Intl.Segmenter | undefined;

/** Where the character around `index` begins and ends (`index` < `text.length`). */
function characterAt(text: string, index: number): { start: number; end: number } {
  graphemes ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  const character = graphemes.segment(text).containing(index);
  return character ? { start: character.index, end: character.index + character.segment.length } : { start: index, end: index };
}

/** The longest start of `text` that fits in `maxLength` code units and ends between two characters. */
export function truncateText(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  return maxLength <= 0 ? "" : text.slice(0, characterAt(text, maxLength).start);
}

/** The longest end of `text` that fits in `maxLength` code units and starts between two characters. */
export function keepTextEnd(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  if (maxLength <= 0) return "";
  const from = text.length - maxLength;
  const character = characterAt(text, from);
  return text.slice(character.start === from ? from : character.end);
}

/**
 * Strings for the product's HTML pages (PIN dialog, configuration page).
 *
 * A page is not a form or ribbon library, so `Xrm.Utility.getResourceString` is not guaranteed to
 * know the page script's RESX dependencies. The page therefore fetches its RESX file itself, by a
 * path relative to the page (`lmi_/pages/x.html` → `lmi_/strings/Strings.<lcid>.resx`), which also
 * keeps the platform's web resource cache in play. English is the fallback for missing keys.
 */
import { parseResx } from "./resx";
import { createTranslator, pickLanguage, SUPPORTED_LANGUAGES, type Translator } from "./translator";

export type FetchText = (relativeUrl: string) => Promise<string>;

/** Relative URL of a language's RESX file, seen from a page under `lmi_/pages/`. */
export function resxUrlForPage(lcid: number): string {
  return `../strings/Strings.${lcid}.resx`;
}

/**
 * Loads the strings for `languageId` (falling back to English for unsupported languages and
 * missing keys). Never throws: if no file can be read, `t()` returns keys, and the error is logged.
 */
export async function loadPageTranslator(languageId: number | null | undefined, fetchText: FetchText): Promise<Translator> {
  const lcid = pickLanguage(languageId);
  const fallbackLcid = SUPPORTED_LANGUAGES[0];
  const wanted = lcid === fallbackLcid ? [lcid] : [lcid, fallbackLcid];
  const tables = await Promise.all(
    wanted.map(async (code) => {
      try {
        return parseResx(await fetchText(resxUrlForPage(code)));
      } catch (error) {
        console.error(`LogMeIn Rescue: could not load strings for language ${code}`, error);
        return new Map<string, string>();
      }
    }),
  );
  return createTranslator((key) => {
    for (const table of tables) {
      const text = table.get(key);
      if (text) return text;
    }
    return undefined;
  });
}

/** GET with the user's session (web resources need it; a relative URL is relative to the page): the text of a 2xx answer. */
export async function fetchSameOriginText(url: string): Promise<string> {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`GET ${url} answered HTTP ${response.status}`);
  return response.text();
}

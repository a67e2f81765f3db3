/**
 * The one way UI text is looked up: `t(key, ...args)`.
 *
 * Strings live in the RESX web resources `lmi_/strings/Strings.<lcid>.resx` (English 1033 and
 * Dutch 1043). A translator is built from a lookup function — `Xrm.Utility.getResourceString`
 * then the English strings in form and ribbon scripts (see `src/xrm/strings.ts`), the user's RESX
 * file then the English one in HTML pages (see `src/strings/page-strings.ts`) — so every language
 * but Dutch shows English. Only a string missing everywhere shows its key (the build makes sure
 * none is).
 *
 * Placeholders are `{0}`, `{1}`, … as in .NET resource strings.
 */

/** Web resource name of the RESX strings, without the language part (as getResourceString wants it). */
export const STRINGS_WEB_RESOURCE = "lmi_/strings/Strings";

/** Languages the product ships strings for; the first is the fallback. */
export const SUPPORTED_LANGUAGES = [1033, 1043] as const;
export type SupportedLanguage = (typeof SUPPORTED_LANGUAGES)[number];

export type StringLookup = (key: string) => string | null | undefined;
export type FormatArg = string | number;

export type Translator = (key: string, ...args: FormatArg[]) => string;

/** Replaces `{0}`, `{1}`, … with the arguments; unknown placeholders are left as they are. */
export function fillPlaceholders(template: string, args: readonly FormatArg[]): string {
  if (args.length === 0) return template;
  return template.replace(/\{(\d+)\}/g, (whole, index: string) => {
    const value = args[Number(index)];
    return value === undefined ? whole : String(value);
  });
}

/**
 * A lookup that asks each source in turn and answers with the first non-empty string; a source
 * that throws (as `Xrm.Utility.getResourceString` does when no strings file matches the user's
 * language) counts as not having it.
 */
export function firstFound(...sources: readonly StringLookup[]): StringLookup {
  return (key) => {
    for (const source of sources) {
      let text: string | null | undefined;
      try {
        text = source(key);
      } catch {
        text = undefined;
      }
      if (text !== null && text !== undefined && text !== "") return text;
    }
    return undefined;
  };
}

/** Builds `t()` over a lookup; a missing or empty string (or a lookup that throws) falls back to the key. */
export function createTranslator(lookup: StringLookup): Translator {
  const find = firstFound(lookup);
  return (key, ...args) => fillPlaceholders(find(key) ?? key, args);
}

/** The supported language closest to a Dynamics user language id (LCID); English otherwise. */
export function pickLanguage(languageId: number | null | undefined): SupportedLanguage {
  return SUPPORTED_LANGUAGES.find((lcid) => lcid === languageId) ?? SUPPORTED_LANGUAGES[0];
}

const LANGUAGE_TAGS: Readonly<Record<SupportedLanguage, string>> = { 1033: "en", 1043: "nl" };

/** The language tag of the supported language for an LCID, for `<html lang>` and `Intl` formats. */
export function languageTag(languageId: number | null | undefined): string {
  return LANGUAGE_TAGS[pickLanguage(languageId)];
}

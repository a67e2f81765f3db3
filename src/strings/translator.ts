/**
 * The one way UI text is looked up: `t(key, ...args)`.
 *
 * Strings live in the RESX web resources `lmi_/strings/Strings.<lcid>.resx` (English 1033 and
 * Dutch 1043). A translator is built from a lookup function — `Xrm.Utility.getResourceString` in
 * form and ribbon scripts (see `src/xrm/strings.ts`), a parsed RESX file in HTML pages (see
 * `src/strings/page-strings.ts`) — and falls back to the key itself when a string is missing, so a
 * missing translation shows something recognisable instead of nothing.
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

/** Builds `t()` over a lookup; a missing or empty string falls back to the key. */
export function createTranslator(lookup: StringLookup): Translator {
  return (key, ...args) => {
    let text: string | null | undefined;
    try {
      text = lookup(key);
    } catch {
      text = undefined;
    }
    return fillPlaceholders(text === null || text === undefined || text === "" ? key : text, args);
  };
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

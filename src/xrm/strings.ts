/**
 * `t()` for form and ribbon scripts: the RESX strings through `Xrm.Utility.getResourceString`,
 * then English.
 *
 * `getResourceString` answers in the user's language, else in the organisation's base language,
 * else not at all (null, or an exception when no strings file matches). A German user in a German
 * organisation would see keys, so every script carries the English strings it can show: the build
 * (src/packaging/bundle.ts) defines `LMI_ENGLISH_FALLBACK` as those strings.
 */
import { createTranslator, firstFound, STRINGS_WEB_RESOURCE, type StringLookup, type Translator } from "../strings/translator";

/** Defined by the build in each script that uses it; undefined when the source runs unbundled (tests). */
declare const LMI_ENGLISH_FALLBACK: Readonly<Record<string, string>> | undefined;

/** The English strings the build put into this script (none when not bundled). */
export function bundledEnglishStrings(): Readonly<Record<string, string>> {
  return typeof LMI_ENGLISH_FALLBACK === "object" ? LMI_ENGLISH_FALLBACK : {};
}

/**
 * Works only where the RESX web resources are dependencies of the calling script (the build
 * writes them into each script's DependencyXml); `english` is the last resort for every key.
 */
export function xrmTranslator(english: Readonly<Record<string, string>> = bundledEnglishStrings()): Translator {
  const fromEnglish: StringLookup = (key) => (Object.prototype.hasOwnProperty.call(english, key) ? english[key] : undefined);
  return createTranslator(firstFound((key) => Xrm.Utility.getResourceString(STRINGS_WEB_RESOURCE, key), fromEnglish));
}

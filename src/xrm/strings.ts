/**
 * `t()` for form and ribbon scripts: the RESX strings through `Xrm.Utility.getResourceString`,
 * then English.
 *
 * `getResourceString` answers in the user's language, else in the organisation's base language,
 * else not at all (null, or an exception when no strings file matches): a German user in a German
 * organisation would see keys. So `loadXrmTranslator` first asks the platform for one string that
 * every strings file has; only when the platform has none for this user does it read the English
 * strings file once from the organisation (`<org>/WebResources/lmi_/strings/Strings.1033.resx`, the
 * file the HTML pages read too) and answer from it where the platform has nothing. English and
 * Dutch users never make that request, and no script carries a copy of the strings.
 */
import { fetchSameOriginText, type FetchText } from "../strings/page-strings";
import { parseResx } from "../strings/resx";
import { createTranslator, firstFound, STRINGS_WEB_RESOURCE, SUPPORTED_LANGUAGES, type StringLookup, type Translator } from "../strings/translator";

/** A key every strings file has (the build checks that every file has every key). */
const PROBE_KEY = "Common.ProductName";

/** Path, below the organisation URL, of the strings file scripts fall back to. */
export const FALLBACK_STRINGS_PATH = `/WebResources/${STRINGS_WEB_RESOURCE}.${SUPPORTED_LANGUAGES[0]}.resx`;

const platformLookup: StringLookup = (key) => Xrm.Utility.getResourceString(STRINGS_WEB_RESOURCE, key);

/**
 * The platform's strings, then `fallback` (key → text). Works only where the RESX web resources are
 * dependencies of the calling script (the build writes them into each script's DependencyXml).
 */
export function xrmTranslator(fallback: ReadonlyMap<string, string> = new Map()): Translator {
  return createTranslator(firstFound(platformLookup, (key) => fallback.get(key)));
}

/**
 * The translator for this user: the platform's strings, with the English strings file read from
 * the organisation when the platform has no strings for this user's or the organisation's
 * language. Never rejects: when that file cannot be read, the console says why and `t()` answers
 * keys as the platform alone would.
 */
export async function loadXrmTranslator(fetchText: FetchText = fetchSameOriginText): Promise<Translator> {
  if (firstFound(platformLookup)(PROBE_KEY)) return xrmTranslator();
  const url = `${Xrm.Utility.getGlobalContext().getClientUrl().replace(/\/+$/, "")}${FALLBACK_STRINGS_PATH}`;
  try {
    return xrmTranslator(parseResx(await fetchText(url)));
  } catch (error) {
    console.error(`LogMeIn Rescue: could not read the English strings (${url})`, error);
    return xrmTranslator();
  }
}

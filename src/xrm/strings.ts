/** `t()` for form and ribbon scripts: RESX strings through `Xrm.Utility.getResourceString`. */
import { createTranslator, STRINGS_WEB_RESOURCE, type Translator } from "../strings/translator";

/**
 * Works only where the RESX web resources are dependencies of the calling script (the build
 * writes them into each script's DependencyXml); otherwise every key falls back to itself.
 */
export function xrmTranslator(): Translator {
  return createTranslator((key) => Xrm.Utility.getResourceString(STRINGS_WEB_RESOURCE, key));
}

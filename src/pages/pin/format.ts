/** How the PIN dialog writes a PIN, its link and its time. */
import { languageTag } from "../../strings/translator";

/** Where the customer enters the PIN (desktop). */
export const CUSTOMER_SITE = "www.LogMeIn123.com";
export const CUSTOMER_SITE_URL = "https://www.LogMeIn123.com";

/** "123456" → "123 456": two groups of three, easy to read out. */
export function formatPin(pin: string): string {
  return `${pin.slice(0, 3)} ${pin.slice(3)}`;
}

/** "123456" → "1 2 3 4 5 6": a screen reader reads digits, not "one hundred twenty-three thousand…". */
export function spokenPin(pin: string): string {
  return pin.split("").join(" ");
}

/** The link that starts the session with the PIN filled in (what public integrations hand out). */
export function directLink(pin: string): string {
  return `https://secure.logmeinrescue.com/R?i=2&Code=${encodeURIComponent(pin)}`;
}

/** When the PIN was generated, in the user's language and the browser's time zone ("" when unknown). */
export function formatGeneratedAt(iso: string, lcid: number, timeZone?: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return "";
  return new Intl.DateTimeFormat(languageTag(lcid), { dateStyle: "medium", timeStyle: "short", timeZone }).format(time);
}

/**
 * Turns anything a `catch` can receive into text for the browser console or a log line.
 * Users never see this text: they get a localized message that says what to do (src/strings);
 * this is the technical detail that goes next to it.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === "string") return error;
  if (error && typeof error === "object") {
    const { message, errorCode } = error as { message?: unknown; errorCode?: unknown };
    if (typeof message === "string" && message !== "") {
      return typeof errorCode === "number" || typeof errorCode === "string" ? `${message} (${String(errorCode)})` : message;
    }
    try {
      return JSON.stringify(error);
    } catch {
      return Object.prototype.toString.call(error);
    }
  }
  return String(error);
}

/**
 * A logger for one PIN request that also hides the secrets learnt while handling it: the company
 * SSO password read from the configuration, the agent's auth codes, the request's nonce and the
 * PIN. The service logger redacts only what it knew at start (client secret, Basic password); a
 * value that reaches a line here — inside an error message from Dataverse, say — is replaced by
 * "[redacted]" before the line is written.
 */
import type { LogFields, Logger } from "../log";

const REDACTED = "[redacted]";

export class RedactingLogger implements Logger {
  private constructor(
    private readonly inner: Logger,
    private readonly secrets: Set<string>,
  ) {}

  static wrap(inner: Logger): RedactingLogger {
    return new RedactingLogger(inner, new Set());
  }

  /** Adds values to hide from now on (values shorter than 4 characters are ignored, as by the service logger). */
  hide(...values: (string | null | undefined)[]): void {
    for (const value of values) if (typeof value === "string" && value.length >= 4) this.secrets.add(value);
  }

  debug(msg: string, fields?: LogFields): void {
    this.inner.debug(this.redact(msg), this.redactFields(fields));
  }

  info(msg: string, fields?: LogFields): void {
    this.inner.info(this.redact(msg), this.redactFields(fields));
  }

  warn(msg: string, fields?: LogFields): void {
    this.inner.warn(this.redact(msg), this.redactFields(fields));
  }

  error(msg: string, fields?: LogFields): void {
    this.inner.error(this.redact(msg), this.redactFields(fields));
  }

  /** A child that shares this logger's secrets. */
  child(fields: LogFields): Logger {
    return new RedactingLogger(this.inner.child(this.redactFields(fields) ?? {}), this.secrets);
  }

  private redact(text: string): string {
    let safe = text;
    for (const secret of this.secrets) if (safe.includes(secret)) safe = safe.split(secret).join(REDACTED);
    return safe;
  }

  private redactFields(fields: LogFields | undefined): LogFields | undefined {
    if (fields === undefined || this.secrets.size === 0) return fields;
    const safe: LogFields = {};
    for (const [name, value] of Object.entries(fields)) safe[name] = typeof value === "string" ? this.redact(value) : value;
    return safe;
  }
}

/**
 * The service's log: Fastify's logger (pino), one JSON object per line on stdout —
 * `{"level":"info","time":"<ISO 8601>",…fields,"msg":"…"}`; the lines of an HTTP request carry
 * its `reqId` (Fastify's `request.log`).
 *
 * Callers log only metadata (ids, counts, status codes, field names, one-line error summaries):
 * never chat text, notes, post values or credentials. As a second line of defence every line is
 * redacted as it is written (pino's `streamWrite` hook): a registered secret that still reaches
 * a line — raw, JSON-escaped (also twice), percent- or form-encoded, inside an error message
 * from Dataverse, say — becomes "[redacted]". `LogSecrets` holds the secrets known at start (the
 * client secret and `POST_PASSWORD`, for as long as the service runs) and those a request learns
 * while it runs (the company SSO password, the agent's auth codes, the PIN request's nonce),
 * hidden from every line until the request is answered.
 */
import type { FastifyBaseLogger } from "fastify";
import pino, { type DestinationStream } from "pino";

/** The service's logger: pino, as Fastify's `request.log` and the service's own parts use it. */
export type Logger = FastifyBaseLogger;

export type LogLevel = "debug" | "info" | "warn" | "error";

export const REDACTED = "[redacted]";

/** Values shorter than this are not redacted (they would blank ordinary words and numbers). */
const MIN_SECRET_LENGTH = 4;

/** Secrets a request learnt, hidden from the log until `release()`. */
export interface SecretScope {
  /** Hides these values from now on (values shorter than 4 characters are ignored). */
  hide(...values: (string | null | undefined)[]): void;
  /** The request is answered: its secrets stop being looked for (unless another request holds them too). */
  release(): void;
}

/** Every value that must never appear in a log line, and the redaction of a written line. */
export class LogSecrets {
  private readonly kept = new Set<string>();
  private readonly held = new Map<string, number>();
  /** Every form of every secret, longest first. */
  private forms: string[] = [];

  constructor(secrets: readonly string[] = []) {
    this.keep(...secrets);
  }

  /** Hides these values for as long as the service runs (secrets given at start). */
  keep(...values: (string | null | undefined)[]): void {
    for (const value of values) if (typeof value === "string" && value.length >= MIN_SECRET_LENGTH) this.kept.add(value);
    this.rebuild();
  }

  /** A scope for one request's secrets. */
  scope(): SecretScope {
    const mine = new Set<string>();
    let released = false;
    return {
      hide: (...values) => {
        if (released) return;
        let changed = false;
        for (const value of values) {
          if (typeof value !== "string" || value.length < MIN_SECRET_LENGTH || mine.has(value)) continue;
          mine.add(value);
          this.held.set(value, (this.held.get(value) ?? 0) + 1);
          changed = true;
        }
        if (changed) this.rebuild();
      },
      release: () => {
        if (released) return;
        released = true;
        for (const value of mine) {
          const count = (this.held.get(value) ?? 1) - 1;
          if (count > 0) this.held.set(value, count);
          else this.held.delete(value);
        }
        if (mine.size > 0) this.rebuild();
      },
    };
  }

  /** The line with every form of every secret replaced by "[redacted]". */
  redact(line: string): string {
    let safe = line;
    for (const form of this.forms) if (safe.includes(form)) safe = safe.split(form).join(REDACTED);
    return safe;
  }

  private rebuild(): void {
    const forms = new Set<string>();
    for (const secret of [...this.kept, ...this.held.keys()]) for (const form of formsOf(secret)) forms.add(form);
    this.forms = [...forms].sort((a, b) => b.length - a.length);
  }
}

/** How a secret can appear in a line: as is, JSON-escaped once or twice, percent-encoded, form-encoded. */
function formsOf(secret: string): string[] {
  const escaped = JSON.stringify(secret).slice(1, -1);
  return [secret, escaped, JSON.stringify(escaped).slice(1, -1), encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)];
}

/** The logger and the secrets its lines are redacted of. */
export interface ServiceLog {
  logger: Logger;
  secrets: LogSecrets;
}

export interface ServiceLogOptions {
  /** Secrets known at start (the client secret, `POST_PASSWORD`). */
  secrets?: readonly string[];
  level?: LogLevel;
  /** Where lines go; stdout (written synchronously, so nothing is lost at exit) by default. */
  destination?: DestinationStream;
}

export function createServiceLog(options: ServiceLogOptions = {}): ServiceLog {
  const secrets = new LogSecrets(options.secrets);
  const logger = pino(
    {
      level: options.level ?? "info",
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: { streamWrite: (line) => secrets.redact(line) },
    },
    options.destination ?? pino.destination({ fd: 1, sync: true }),
  );
  return { logger, secrets };
}

/** The message of an unknown thrown value, first line only, for logs. */
export function errorSummary(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const firstLine = text.split("\n", 1)[0] ?? "";
  return firstLine.length > 300 ? `${firstLine.slice(0, 300)}…` : firstLine;
}

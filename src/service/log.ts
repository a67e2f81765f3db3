/**
 * Structured JSON logs, one object per line on stdout.
 *
 * Callers pass only metadata (ids, counts, status codes, field names): never chat text, notes,
 * relay field values or credentials. As a second line of defence the logger replaces any
 * registered secret that still reaches a line with "[redacted]".
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, string | number | boolean | null | undefined>;

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface JsonLoggerOptions {
  level?: LogLevel;
  /** Strings that must never appear in a log line (client secret, Basic password). */
  secrets?: readonly string[];
  /** Where lines go; defaults to stdout. */
  write?: (line: string) => void;
  /** Fields added to every line. */
  base?: LogFields;
}

export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const minRank = LEVEL_RANK[options.level ?? "info"];
  // Each secret as written and as it appears inside a JSON string (quotes, backslashes and
  // control characters escaped), computed once rather than for every line.
  const secrets = (options.secrets ?? [])
    .filter((s) => s.length >= 4)
    .flatMap((s) => {
      const escaped = JSON.stringify(s).slice(1, -1);
      return escaped === s ? [s] : [s, escaped];
    });
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const make = (base: LogFields): Logger => {
    const emit = (level: LogLevel, msg: string, fields?: LogFields): void => {
      if (LEVEL_RANK[level] < minRank) return;
      let line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...fields });
      for (const secret of secrets) {
        if (line.includes(secret)) line = line.split(secret).join("[redacted]");
      }
      write(`${line}\n`);
    };
    return {
      debug: (msg, fields) => emit("debug", msg, fields),
      info: (msg, fields) => emit("info", msg, fields),
      warn: (msg, fields) => emit("warn", msg, fields),
      error: (msg, fields) => emit("error", msg, fields),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make(options.base ?? {});
}

/** The message of an unknown thrown value, first line only, for logs. */
export function errorSummary(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const firstLine = text.split("\n", 1)[0] ?? "";
  return firstLine.length > 300 ? `${firstLine.slice(0, 300)}…` : firstLine;
}

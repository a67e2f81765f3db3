/**
 * The service's log (src/service/log.ts): Fastify's logger (pino) writing one JSON object per
 * line, and the redaction every line goes through — secrets given at start and secrets a request
 * learns, in every form they can take in a line, also in what Fastify itself logs.
 */
import Fastify from "fastify";
import { describe, expect, test } from "vitest";
import { createServiceLog, errorSummary, LogSecrets } from "../../src/service/log";

function capture(secrets: string[] = []): { lines: string[]; log: ReturnType<typeof createServiceLog> } {
  const lines: string[] = [];
  return { lines, log: createServiceLog({ level: "debug", secrets, destination: { write: (line: string) => void lines.push(line) } }) };
}

const parsed = (lines: string[]): Record<string, unknown>[] => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

describe("log lines", () => {
  test("one JSON object per line: level by name, ISO time, the fields, the message", () => {
    const { lines, log } = capture();
    log.logger.child({ component: "test" }).warn({ count: 3, skipped: undefined }, "something happened");
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith("}\n")).toBe(true);
    expect(lines[0]?.indexOf("\n")).toBe(lines[0]!.length - 1);
    const [line] = parsed(lines);
    expect(line).toEqual({ level: "warn", time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown, component: "test", count: 3, msg: "something happened" });
  });

  test("below the level nothing is written", () => {
    const lines: string[] = [];
    const { logger } = createServiceLog({ level: "info", destination: { write: (line: string) => void lines.push(line) } });
    logger.debug("noise");
    logger.info("kept");
    expect(parsed(lines).map((line) => line.msg)).toEqual(["kept"]);
  });

  test("errorSummary: the first line of an error, at most 300 characters", () => {
    expect(errorSummary(new TypeError("bad\n    at x (y.ts:1:1)"))).toBe("TypeError: bad");
    expect(errorSummary("plain")).toBe("plain");
    expect(errorSummary(new Error("x".repeat(400)))).toHaveLength(301);
  });
});

describe("redaction", () => {
  const secret = 'pa"ss\\wörd 42&=+';

  test("a secret given at start never reaches a line: raw, JSON-escaped (once or twice), percent- or form-encoded; short values stay", () => {
    const { lines, log } = capture([secret, "abc"]);
    const logger = log.logger.child({ component: "test" });
    logger.error({ error: errorSummary(new Error(`invalid_client: ${secret}`)) }, "token request failed");
    logger.info({ short: "abc", nested: { body: JSON.stringify({ password: secret }) } }, `message with ${secret} inside`);
    logger.warn({ url: `https://x.example/?p=${encodeURIComponent(secret)}`, form: new URLSearchParams({ p: secret }).toString() }, "encoded");
    const withoutTime = parsed(lines).map((line) => Object.fromEntries(Object.entries(line).filter(([name]) => name !== "time")));
    expect(withoutTime).toEqual([
      { level: "error", component: "test", error: "Error: invalid_client: [redacted]", msg: "token request failed" },
      { level: "info", component: "test", short: "abc", nested: { body: '{"password":"[redacted]"}' }, msg: "message with [redacted] inside" },
      { level: "warn", component: "test", url: "https://x.example/?p=[redacted]", form: "p=[redacted]", msg: "encoded" },
    ]);
    const text = lines.join("");
    for (const form of ["ss\\\\w", "pa%22ss", "w%C3%B6rd"]) expect(text).not.toContain(form);
  });

  test("a request's secrets are hidden from every line while it runs, and looked for no more once it is released", () => {
    const { lines, log } = capture();
    const first = log.secrets.scope();
    const second = log.secrets.scope();
    log.logger.info("before: auth-code-1234");
    first.hide("auth-code-1234", "nonce-abcdef", "abc", "", null, undefined);
    second.hide("auth-code-1234");
    // Any line, from any logger of the service, not only the request's own.
    log.logger.child({ part: "other" }).info({ seen: "auth-code-1234 and nonce-abcdef" }, "while held");
    first.release();
    log.logger.info({ seen: "auth-code-1234 and nonce-abcdef" }, "second still holds the code");
    second.release();
    log.logger.info({ seen: "auth-code-1234" }, "after");
    expect(parsed(lines).map((line) => [line.msg, line.seen])).toEqual([
      ["before: auth-code-1234", undefined],
      ["while held", "[redacted] and [redacted]"],
      ["second still holds the code", "[redacted] and nonce-abcdef"],
      ["after", "auth-code-1234"],
    ]);
  });

  test("the secrets given at start outlive every scope; a released scope hides nothing more", () => {
    const secrets = new LogSecrets(["start-secret"]);
    const scope = secrets.scope();
    scope.hide("start-secret");
    scope.release();
    scope.hide("late-value");
    expect(secrets.redact("start-secret late-value")).toBe("[redacted] late-value");
  });

  test("Fastify's own lines are redacted too, and each request's lines carry its reqId", async () => {
    const { lines, log } = capture([secret]);
    const app = Fastify({ loggerInstance: log.logger });
    app.get("/fail", () => {
      throw new Error(`database said ${secret}`);
    });
    const response = await app.inject({ method: "GET", url: "/fail" });
    await app.close();
    expect(response.statusCode).toBe(500);
    const text = lines.join("");
    expect(text).toContain("database said [redacted]");
    expect(text).not.toContain("wörd");
    const requestLines = parsed(lines).filter((line) => line.reqId !== undefined);
    expect(requestLines.length).toBeGreaterThanOrEqual(2);
    expect(new Set(requestLines.map((line) => line.reqId)).size).toBe(1);
  });
});

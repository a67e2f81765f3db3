import { describe, expect, test } from "vitest";
import { createJsonLogger, errorSummary } from "../../src/service/log";

describe("JSON logger", () => {
  test("a registered secret is redacted wherever it reaches a line, also when JSON escaping changed it", () => {
    const lines: string[] = [];
    const secret = 'pa"ss\\word42';
    const logger = createJsonLogger({ secrets: [secret, "abc"], write: (line) => lines.push(line) }).child({ component: "test" });
    logger.error("token request failed", { error: errorSummary(new Error(`invalid_client: ${secret}`)) });
    logger.info(`message with ${secret} inside`, { short: "abc" });
    const parsed = lines.map((line) => {
      const { time, ...rest } = JSON.parse(line) as Record<string, unknown>;
      expect(typeof time).toBe("string");
      return rest;
    });
    expect(parsed).toEqual([
      { level: "error", msg: "token request failed", component: "test", error: "Error: invalid_client: [redacted]" },
      { level: "info", msg: "message with [redacted] inside", component: "test", short: "abc" },
    ]);
    for (const line of lines) expect(line).not.toContain("ss\\\\word");
  });
});

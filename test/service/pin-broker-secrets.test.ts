/**
 * Secrets never reach the service log: the company SSO password, the agents' auth codes and the
 * PIN requests' nonces — not even when Dataverse echoes one in an error message the broker logs.
 */
import { describe, expect, test } from "vitest";
import type { LogFields, Logger } from "../../src/service/log";
import { RedactingLogger } from "../../src/service/pin-broker/redacting-logger";
import { CLIENT_SECRET } from "./support/fake-dataverse";
import { POST_PASSWORD } from "./support/harness";
import { PinWorld } from "./support/pin-world";

describe("secrets in logs", () => {
  test("a PIN flow with renewals and failures logs no SSO password, auth code or nonce", async () => {
    const world = await new PinWorld().start();
    try {
      const secrets: string[] = [world.rescue.ssoPassword];
      const nonces: string[] = [];
      const ask = async (row: { id: string; nonce: string }): Promise<number> => {
        nonces.push(row.nonce);
        return (await world.askPin(row)).status;
      };

      // A first PIN: a new auth code; its storing fails with Dataverse echoing the SSO password.
      const agent = world.agent();
      const settingsId = crypto.randomUUID();
      world.fake.userSettings.push({ id: settingsId, userId: agent.id, ownerId: agent.id });
      const echo = (text: string) => ({ status: 400, body: { error: { code: "0x80040203", message: `Invalid value '${text}'` } } });
      world.fake.failNext(`lmi_usersettingses(${settingsId})`, [echo(world.rescue.ssoPassword)], "PATCH");
      expect(await ask(world.request(agent))).toBe(200);
      const firstCode = world.rescue.callsTo("requestPINCode")[0]?.fields.authcode ?? "";
      secrets.push(firstCode);

      // The outcome write fails with Dataverse echoing the auth code (the claim is answered 204).
      const row = world.request(agent);
      world.fake.failNext(`lmi_pinrequests(${row.id})`, [{ status: 204 }, echo(firstCode)], "PATCH");
      expect(await ask(row)).toBe(200);

      // The read fails with Dataverse echoing the nonce.
      const echoed = world.request(agent);
      world.fake.failNext(`lmi_pinrequests(${echoed.id})`, [echo(echoed.nonce)], "GET");
      expect(await ask(echoed)).toBe(502);

      // A refused code, renewed.
      world.rescue.reply("requestPINCode", "INVALID_SECRETAUTHCODE");
      expect(await ask(world.request(agent))).toBe(200);
      secrets.push(...world.rescue.calls.map((c) => c.fields.authcode ?? "").filter((code) => code !== ""));
      secrets.push(...world.fake.userSettings.map((s) => s.authCode ?? "").filter((code) => code !== ""));

      const text = world.logText();
      expect(text).toContain("could not store the new auth code");
      expect(text).toContain("could not record the outcome on the PIN request");
      expect(text).toContain("[redacted]");
      for (const secret of [...new Set([...secrets, ...nonces])]) {
        for (const form of [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]) expect(text).not.toContain(form);
      }
      for (const secret of [CLIENT_SECRET, POST_PASSWORD]) expect(text).not.toContain(secret);
      for (const line of world.running.logs.lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    } finally {
      await world.stop();
    }
  });
});

describe("RedactingLogger", () => {
  test("hides what it was told in messages and string fields, in children too; short values are left alone", () => {
    const lines: { msg: string; fields: LogFields | undefined }[] = [];
    const inner: Logger = {
      debug: (msg, fields) => lines.push({ msg, fields }),
      info: (msg, fields) => lines.push({ msg, fields }),
      warn: (msg, fields) => lines.push({ msg, fields }),
      error: (msg, fields) => lines.push({ msg, fields }),
      child: () => inner,
    };
    const log = RedactingLogger.wrap(inner);
    log.info("before: s3cr3t-value", { a: "s3cr3t-value" });
    log.hide("s3cr3t-value", "abc", "", null, undefined);
    const child = log.child({ requestId: "r1" });
    log.hide("later-secret");
    log.warn("now: s3cr3t-value", { a: "x s3cr3t-value y", n: 5, b: true, abc: "abc" });
    child.error("child: later-secret");
    expect(lines).toEqual([
      { msg: "before: s3cr3t-value", fields: { a: "s3cr3t-value" } },
      { msg: "now: [redacted]", fields: { a: "x [redacted] y", n: 5, b: true, abc: "abc" } },
      { msg: "child: [redacted]", fields: undefined },
    ]);
  });
});

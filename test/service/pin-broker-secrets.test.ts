/**
 * Secrets never reach the service log: the company SSO password, the agents' auth codes and the
 * PIN requests' nonces — not even when Dataverse echoes one in an error message the broker logs
 * (the log's redaction: log.test.ts). The broker's lines carry the request's id.
 */
import { describe, expect, test } from "vitest";
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

describe("the service's request lines", () => {
  test("every line of one /api/pin call carries its reqId (the PIN request row is pinRequestId); the broker's lines and the request line share it", async () => {
    const world = await new PinWorld().start();
    try {
      const agent = world.agent();
      world.fake.userSettings.push({ id: crypto.randomUUID(), userId: agent.id, ownerId: agent.id, techId: "1", authCode: world.rescue.issueAuthCode(agent.email) });
      const before = world.running.logs.lines.length;
      const row = world.request(agent);
      const lines = () => world.running.logs.lines.slice(before).map((line) => JSON.parse(line) as { msg: string; reqId?: string; pinRequestId?: string });
      expect((await world.askPin(row)).status).toBe(200);
      const answered = lines().find((line) => line.msg === "PIN request answered");
      const rescue = lines().find((line) => line.msg === "Rescue answered");
      const request = lines().find((line) => line.msg === "request");
      expect(answered?.reqId).toMatch(/^[0-9a-f-]{36}$/);
      expect(answered?.pinRequestId).toBe(row.id);
      expect([rescue?.reqId, request?.reqId]).toEqual([answered?.reqId, answered?.reqId]);
    } finally {
      await world.stop();
    }
  });
});

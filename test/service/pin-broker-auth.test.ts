/**
 * The PIN broker's auth codes, retries and races, against the fake Rescue's rules (a new auth code
 * invalidates the technician's previous one; one PIN per second): a stored code is reused and
 * never replaced while it works; a refused one is renewed once; POLLRATEEXCEEDED is retried once
 * after 1.1 s; of concurrent calls with one PIN request exactly one reaches Rescue.
 */
import { beforeEach, describe, expect, test } from "vitest";
import { PinRequestStatus } from "../../src/model/schema";
import { HANG } from "./support/fake-rescue";
import { PinWorld, type Agent } from "./support/pin-world";
import { usePinWorld } from "./support/use-pin-world";

const world = usePinWorld();

beforeEach(() => {
  world.rescue.enforcePollRate = false;
});

/** An agent whose settings hold `authCode` ("current": the code Rescue accepts now; any other: a code it no longer accepts). */
function agentWithStoredCode(authCode: string): Agent {
  const agent = world.agent();
  const code = authCode === "current" ? world.rescue.issueAuthCode(agent.email) : authCode;
  world.fake.userSettings.push({ id: crypto.randomUUID(), userId: agent.id, ownerId: agent.id, techId: "4242", authCode: code });
  return agent;
}

describe("auth codes", () => {
  test("a stored code that works is used; no new code is ever requested", async () => {
    const agent = agentWithStoredCode("current");
    const stored = world.fake.settingsOf(agent.id)?.authCode;
    for (let click = 0; click < 3; click += 1) expect((await world.askPin(world.request(agent))).status).toBe(200);
    expect(world.rescue.callsTo("requestAuthCodeSSO")).toHaveLength(0);
    expect(world.rescue.callsTo("requestPINCode").map((c) => c.fields.authcode)).toEqual([stored, stored, stored]);
  });

  test.each(["INVALID_SECRETAUTHCODE", "NOTLOGGEDIN"])("%s: one new auth code, stored, and one retry that succeeds", async (word) => {
    const agent = agentWithStoredCode("current");
    const old = world.fake.settingsOf(agent.id)?.authCode;
    world.rescue.reply("requestPINCode", word);
    const row = world.request(agent);
    const answer = await world.askPin(row);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(world.rescue.calls.map((c) => c.method)).toEqual(["requestPINCode", "requestAuthCodeSSO", "requestPINCode"]);
    const renewed = world.fake.settingsOf(agent.id)?.authCode;
    expect(renewed).not.toBe(old);
    expect(world.rescue.callsTo("requestPINCode").map((c) => c.fields.authcode)).toEqual([old, renewed]);
    expect(world.fake.pinRequests.get(row.id)).toMatchObject({ status: PinRequestStatus.Issued, result: "OK" });
  });

  test("a stale stored code (replaced in Rescue meanwhile) is renewed once; the next PIN uses the new code without renewing", async () => {
    const agent = agentWithStoredCode("ac-stale-code-from-last-year");
    world.rescue.issueAuthCode(agent.email);
    expect((await world.askPin(world.request(agent))).status).toBe(200);
    expect((await world.askPin(world.request(agent))).status).toBe(200);
    expect(world.rescue.callsTo("requestAuthCodeSSO")).toHaveLength(1);
    expect(world.rescue.callsTo("requestPINCode").map((c) => c.fields.authcode === world.fake.settingsOf(agent.id)?.authCode)).toEqual([false, true, true]);
  });

  test("a code an admin stored meanwhile is tried before a new one is requested", async () => {
    const agent = agentWithStoredCode("current");
    expect((await world.askPin(world.request(agent))).status).toBe(200);
    // The admin generates an API token (a new code) and enters it in the user settings; the service still holds the old one.
    const entered = world.rescue.issueAuthCode(agent.email);
    const settings = world.fake.settingsOf(agent.id);
    if (settings) settings.authCode = entered;
    world.rescue.reset();
    expect((await world.askPin(world.request(agent))).status).toBe(200);
    expect(world.rescue.calls.map((c) => c.method)).toEqual(["requestPINCode", "requestPINCode"]);
    expect(world.rescue.calls[1]?.fields.authcode).toBe(entered);
  });

  test("when the retry is refused too, the word is answered after exactly one new code", async () => {
    const agent = agentWithStoredCode("current");
    world.rescue.reply("requestPINCode", "INVALID_SECRETAUTHCODE", "INVALID_SECRETAUTHCODE");
    const answer = await world.askPin(world.request(agent));
    expect([answer.status, answer.body]).toEqual([422, { error: "INVALID_SECRETAUTHCODE", method: "requestPINCode", settingsId: world.fake.settingsOf(agent.id)?.id }]);
    expect(world.rescue.calls.map((c) => c.method)).toEqual(["requestPINCode", "requestAuthCodeSSO", "requestPINCode"]);
  });

  test("a code obtained in this call and refused at once is not renewed a second time", async () => {
    const agent = world.agent();
    world.rescue.reply("requestPINCode", "NOTLOGGEDIN");
    const answer = await world.askPin(world.request(agent));
    expect(answer.body).toMatchObject({ error: "NOTLOGGEDIN", method: "requestPINCode" });
    expect(world.rescue.calls.map((c) => c.method)).toEqual(["requestAuthCodeSSO", "requestPINCode"]);
  });

  test("an SSO refusal makes the next call read the configuration and the settings again (the admin may have fixed them)", async () => {
    const agent = world.agent({ rescueKnowsEmail: false });
    expect((await world.askPin(world.request(agent))).body).toMatchObject({ error: "INVALID", method: "requestAuthCodeSSO" });
    const settings = world.fake.settingsOf(agent.id);
    world.rescue.addTechnician("fixed.sso.id", "777");
    if (settings) settings.ssoId = "fixed.sso.id";
    expect((await world.askPin(world.request(agent))).status).toBe(200);
    expect(world.rescue.callsTo("requestAuthCodeSSO").map((c) => c.fields.ssoid)).toEqual([agent.email, "fixed.sso.id"]);
  });
});

describe("POLLRATEEXCEEDED (one PIN per second)", () => {
  test("one retry, at least 1.1 s later, succeeds", async () => {
    const agent = agentWithStoredCode("current");
    world.rescue.enforcePollRate = true;
    expect((await world.askPin(world.request(agent))).status).toBe(200);
    // The agent clicks again at once: Rescue says too soon, the broker waits and tries once more.
    const answer = await world.askPin(world.request(agent));
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const calls = world.rescue.callsTo("requestPINCode");
    expect(calls).toHaveLength(3);
    expect((calls[2]?.at ?? 0) - (calls[1]?.at ?? 0)).toBeGreaterThanOrEqual(1_100 - 5);
  });

  test("refused twice: the word is answered after exactly two calls", async () => {
    const agent = agentWithStoredCode("current");
    world.rescue.reply("requestPINCode", "POLLRATEEXCEEDED", "POLLRATEEXCEEDED");
    const answer = await world.askPin(world.request(agent));
    expect([answer.status, answer.body.error, answer.body.method]).toEqual([422, "POLLRATEEXCEEDED", "requestPINCode"]);
    expect(world.rescue.callsTo("requestPINCode")).toHaveLength(2);
  });
});

describe("concurrency", () => {
  test("concurrent calls with one PIN request: exactly one reaches Rescue, the others are REQUEST_USED", async () => {
    const agent = agentWithStoredCode("current");
    const row = world.request(agent);
    const answers = await Promise.all(Array.from({ length: 8 }, () => world.askPin(row)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused).toHaveLength(7);
    for (const answer of refused) expect([answer.status, answer.body]).toEqual([409, { error: "REQUEST_USED" }]);
    expect(world.rescue.callsTo("requestPINCode")).toHaveLength(1);
    expect(world.fake.pinRequests.get(row.id)).toMatchObject({ status: PinRequestStatus.Issued });
  });

  test("an agent's first PINs from two tabs at once share one new auth code (a second would invalidate the first)", async () => {
    const agent = world.agent();
    const answers = await Promise.all([world.askPin(world.request(agent)), world.askPin(world.request(agent))]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(world.rescue.callsTo("requestAuthCodeSSO")).toHaveLength(1);
    expect(world.fake.userSettings.filter((s) => s.userId === agent.id)).toHaveLength(1);
  });
});

describe("timeouts", () => {
  test("Rescue not answering within the timeout: RESCUE_TIMEOUT, recorded on the row", async () => {
    const quick = await new PinWorld().start({ pinBroker: { timings: { rescueCallMs: 300 } } });
    try {
      const agent = quick.agent();
      quick.fake.userSettings.push({ id: crypto.randomUUID(), userId: agent.id, ownerId: agent.id, techId: "1", authCode: quick.rescue.issueAuthCode(agent.email) });
      quick.rescue.reply("requestPINCode", HANG);
      const row = quick.request(agent);
      const answer = await quick.askPin(row);
      expect([answer.status, answer.body]).toMatchObject([504, { error: "RESCUE_TIMEOUT" }]);
      expect(quick.fake.pinRequests.get(row.id)).toMatchObject({ status: PinRequestStatus.Failed, result: "RESCUE_TIMEOUT" });
    } finally {
      await quick.stop();
    }
  });
});

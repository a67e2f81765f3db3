/**
 * `POST /api/pin` end to end: the in-process service on 127.0.0.1 against the fake Dataverse and
 * the fake Rescue (both HTTPS on 127.0.0.1). What the agent's browser gets back, what Rescue
 * really receives (raw form bodies), and what ends up in Dataverse.
 */
import { beforeEach, describe, expect, test } from "vitest";
import { PinRequestStatus } from "../../src/model/schema";
import { PIN_BROKER_REFUSALS, RESCUE_WORD_STATUS } from "../../src/pin/protocol";
import { DROP } from "./support/fake-rescue";
import { DYNAMICS_ORIGIN } from "./support/harness";
import { PinWorld } from "./support/pin-world";
import { usePinWorld } from "./support/use-pin-world";

const world = usePinWorld({ pinBroker: { timings: { rescueCallMs: 5_000 } } });

beforeEach(() => {
  world.fake.ssoPasswordReadable = true;
  world.fake.clearFaults();
});

describe("a first PIN for an agent without user settings", () => {
  test("creates the settings (owned by the agent), gets and stores an auth code, fills in the technician id, and answers the PIN", async () => {
    const agent = world.agent({ techId: "908070" });
    const incident = world.fake.addCustomerCase({ ticketnumber: "CAS-01234-ABCDEF", name: "Carla Customer", email: "carla@example.com" });
    const row = world.request(agent, { incident });

    const answer = await world.askPin(row);

    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toEqual({
      pin: expect.stringMatching(/^\d{6}$/) as unknown,
      caseNumber: "CAS-01234-ABCDEF",
      customer: { entityType: "contact", id: incident.customer?.id },
    });
    expect(answer.headers.get("content-type")).toMatch(/^application\/json/);
    expect(answer.headers.get("access-control-allow-origin")).toBe(DYNAMICS_ORIGIN);
    expect(answer.headers.get("access-control-allow-credentials")).toBeNull();
    expect(answer.headers.get("cache-control")).toBe("no-store");

    // The user settings row: created for the agent, owned by the agent, with the new auth code and the technician id.
    const settings = world.fake.settingsOf(agent.id);
    expect(settings).toMatchObject({ userId: agent.id, ownerId: agent.id, name: agent.fullname, techId: "908070" });
    expect(settings?.authCode).toMatch(/^ac-/);

    // What Rescue received, in order, byte for byte.
    expect(world.rescue.calls.map((c) => c.method)).toEqual(["requestAuthCodeSSO", "requestPINCode", "getAccount"]);
    const [sso, pin, account] = world.rescue.calls;
    for (const call of world.rescue.calls) {
      expect(call.httpMethod).toBe("POST");
      expect(call.contentType).toBe("application/x-www-form-urlencoded; charset=UTF-8");
    }
    expect(sso?.rawBody).toBe(new URLSearchParams({ ssoid: agent.email, pwd: world.rescue.ssoPassword, company: world.rescue.companyId }).toString());
    expect(sso?.path).toBe("/API/requestAuthCodeSSO.aspx");
    expect(pin?.fieldNames).toEqual(["authcode", "cfield0", "cfield1", "cfield2", "tracking0", "notechconsole"]);
    expect(pin?.fields).toEqual({
      authcode: settings?.authCode,
      cfield0: "Carla Customer",
      cfield1: "carla@example.com",
      cfield2: "CAS-01234-ABCDEF",
      tracking0: incident.incidentid,
      notechconsole: "1",
    });
    expect(account?.fields).toEqual({ authcode: settings?.authCode });

    // The outcome on the PIN request row.
    expect(world.fake.pinRequests.get(row.id)).toMatchObject({ status: PinRequestStatus.Issued, pinCode: answer.body.pin, result: "OK" });
  });

  test("the SSO id from the user settings is used before the agent's email", async () => {
    const agent = world.agent({ rescueKnowsEmail: false });
    world.rescue.addTechnician("dana.sso-id", "5150");
    world.fake.userSettings.push({ id: crypto.randomUUID(), userId: agent.id, ownerId: agent.id, ssoId: "dana.sso-id" });
    const answer = await world.askPin(world.request(agent));
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(world.rescue.callsTo("requestAuthCodeSSO")[0]?.fields.ssoid).toBe("dana.sso-id");
  });
});

describe("steady state", () => {
  test("a repeat PIN costs three Dataverse calls (read, claim, outcome) and one Rescue call; the stored auth code is reused", async () => {
    // Production cache periods (configuration 60 s, user settings 10 min).
    const cached = await new PinWorld().start({ configurationCacheMs: 60_000 });
    try {
      const agent = cached.agent();
      expect((await cached.askPin(cached.request(agent))).status).toBe(200);
      const authCode = cached.fake.settingsOf(agent.id)?.authCode;
      cached.rescue.reset();

      for (let click = 0; click < 3; click += 1) {
        const row = cached.request(agent);
        const start = cached.fake.requests.length;
        const answer = await cached.askPin(row);
        expect(answer.status).toBe(200);
        const calls = cached.fake.requests.slice(start).filter((r) => r.path.startsWith("/api/data/"));
        expect(calls.map((r) => `${r.method} ${r.path.split("?")[0] ?? ""}`)).toEqual([
          `GET /api/data/v9.2/lmi_pinrequests(${row.id})`,
          `PATCH /api/data/v9.2/lmi_pinrequests(${row.id})`,
          `PATCH /api/data/v9.2/lmi_pinrequests(${row.id})`,
        ]);
      }
      expect(cached.rescue.calls.map((c) => c.method)).toEqual(["requestPINCode", "requestPINCode", "requestPINCode"]);
      expect(cached.rescue.calls.every((call) => call.fields.authcode === authCode)).toBe(true);
      expect(cached.fake.settingsOf(agent.id)?.authCode).toBe(authCode);
    } finally {
      await cached.stop();
    }
  });

  test("the claim carries If-Match with the ETag of the read; the outcome If-Match: * (never creates a row)", async () => {
    const agent = world.agent();
    await world.askPin(world.request(agent));
    const row = world.request(agent);
    const start = world.fake.requests.length;
    await world.askPin(row);
    const patches = world.fake.requests.slice(start).filter((r) => r.method === "PATCH");
    expect(patches.map((r) => [r.headers["if-match"], JSON.parse(r.body) as unknown])).toEqual([
      ['W/"1"', { lmi_status: PinRequestStatus.Processing }],
      ["*", { lmi_status: PinRequestStatus.Issued, lmi_pincode: expect.stringMatching(/^\d{6}$/) as unknown, lmi_result: "OK" }],
    ]);
  });
});

describe("what requestPINCode carries", () => {
  test("an account customer: its name and email", async () => {
    const agent = world.agent();
    const incident = world.fake.addCustomerCase({ customer: "account", name: "Fabrikam B.V.", email: "info@fabrikam.example" });
    const answer = await world.askPin(world.request(agent, { incident }));
    expect(answer.body.customer).toEqual({ entityType: "account", id: incident.customer?.id });
    expect(world.rescue.callsTo("requestPINCode")[0]?.fields).toMatchObject({ cfield0: "Fabrikam B.V.", cfield1: "info@fabrikam.example" });
  });

  test("no customer: empty name, the Case's own email address; a customer without email: the Case's email too", async () => {
    const agent = world.agent();
    const bare = world.fake.addCustomerCase({ customer: null, caseEmail: "mailbox@example.com" });
    const answer = await world.askPin(world.request(agent, { incident: bare }));
    expect(answer.body.customer).toBeNull();
    expect(world.rescue.callsTo("requestPINCode")[0]?.fields).toMatchObject({ cfield0: "", cfield1: "mailbox@example.com" });
    const noEmail = world.fake.addCustomerCase({ email: "", caseEmail: "case@example.com" });
    await world.askPin(world.request(agent, { incident: noEmail }));
    expect(world.rescue.callsTo("requestPINCode")[1]?.fields.cfield1).toBe("case@example.com");
  });

  test("the cfield1 opt-out leaves the field out of the form body entirely", async () => {
    world.configure({ doNotPassCField1: true });
    const agent = world.agent();
    const answer = await world.askPin(world.request(agent));
    expect(answer.status).toBe(200);
    const call = world.rescue.callsTo("requestPINCode")[0];
    expect(call?.fieldNames).toEqual(["authcode", "cfield0", "cfield2", "tracking0", "notechconsole"]);
    expect(call?.rawBody).not.toMatch(/(^|&)cfield1=/);
    expect(call?.rawBody).not.toContain("carla%40example.com");
  });

  test("'Require Active Tech Console' sends notechconsole=0; no NodeId is ever sent, even with a technician id", async () => {
    world.configure({ requireActiveTechConsole: true });
    const agent = world.agent();
    await world.askPin(world.request(agent));
    await world.askPin(world.request(agent));
    expect(world.fake.settingsOf(agent.id)?.techId).not.toBe("");
    for (const call of world.rescue.callsTo("requestPINCode")) {
      expect(call.fields.notechconsole).toBe("0");
      expect(call.rawBody.toLowerCase()).not.toContain("nodeid");
    }
  });

  test("long values are cut to Rescue's limits without splitting a character; the Case id goes in lower case", async () => {
    const agent = world.agent();
    const name = `${"N".repeat(63)}😀 and more`;
    const number = `${"9".repeat(511)}é`;
    const incident = world.fake.addCustomerCase({ name, ticketnumber: number, email: `${"m".repeat(520)}@example.com` });
    await world.askPin(world.request(agent, { incident }));
    const fields = world.rescue.callsTo("requestPINCode")[0]?.fields ?? {};
    expect(fields.cfield0).toBe("N".repeat(63));
    expect(fields.cfield2).toBe(number);
    expect(fields.cfield1).toHaveLength(512);
    // A split surrogate pair would reach Rescue as U+FFFD (the form encoder replaces lone surrogates).
    for (const value of Object.values(fields)) expect(value).not.toContain("\uFFFD");
    expect(fields.tracking0).toBe(incident.incidentid.toLowerCase());
  });
});

describe("refusals before anything is claimed", () => {
  test("an unknown request id and a wrong nonce get the same answer; no Rescue call, nothing written", async () => {
    const agent = world.agent();
    const row = world.request(agent);
    const unknown = await world.askPin({ id: crypto.randomUUID(), nonce: row.nonce });
    const wrongNonce = await world.askPin({ id: row.id, nonce: `${row.nonce.slice(0, -1)}${row.nonce.endsWith("A") ? "B" : "A"}` });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: "UNKNOWN_REQUEST" });
    expect([wrongNonce.status, wrongNonce.body]).toEqual([unknown.status, unknown.body]);
    expect(world.rescue.calls).toHaveLength(0);
    expect(world.fake.pinRequests.get(row.id)).toMatchObject({ status: PinRequestStatus.Requested, version: 1 });
  });

  test("a request older than 2 minutes is expired; one just inside the window is served", async () => {
    const agent = world.agent();
    const old = world.request(agent, { ageMs: 121_000 });
    const expired = await world.askPin(old);
    expect([expired.status, expired.body]).toEqual([410, { error: "REQUEST_EXPIRED" }]);
    expect(world.fake.pinRequests.get(old.id)?.status).toBe(PinRequestStatus.Requested);
    expect((await world.askPin(world.request(agent, { ageMs: 110_000 }))).status).toBe(200);
    expect(world.rescue.callsTo("requestPINCode")).toHaveLength(1);
  });

  test("a second use is refused, and so is a row already Processing, Issued or Failed", async () => {
    const agent = world.agent();
    const row = world.request(agent);
    expect((await world.askPin(row)).status).toBe(200);
    const again = await world.askPin(row);
    expect([again.status, again.body]).toEqual([409, { error: "REQUEST_USED" }]);
    expect(world.fake.pinRequests.get(row.id)).toMatchObject({ status: PinRequestStatus.Issued, result: "OK" });
    for (const status of [PinRequestStatus.Processing, PinRequestStatus.Issued, PinRequestStatus.Failed]) {
      expect((await world.askPin(world.request(agent, { status }))).body).toEqual({ error: "REQUEST_USED" });
    }
    expect(world.rescue.callsTo("requestPINCode")).toHaveLength(1);
  });

  test("the agent is the row's creator: a row reassigned to someone else still gets the creator's PIN", async () => {
    const creator = world.agent();
    const other = world.agent();
    await world.askPin(world.request(other));
    const row = world.request(creator);
    row.ownerId = other.id;
    world.rescue.reset();
    expect((await world.askPin(row)).status).toBe(200);
    expect(world.rescue.callsTo("requestPINCode")[0]?.fields.authcode).toBe(world.fake.settingsOf(creator.id)?.authCode);
    expect(world.fake.settingsOf(creator.id)?.authCode).not.toBe(world.fake.settingsOf(other.id)?.authCode);
  });
});

describe("refusals after the claim are recorded on the row", () => {
  test("a request without a Case: CASE_NOT_FOUND", async () => {
    const row = world.request(world.agent(), { incident: null });
    const answer = await world.askPin(row);
    expect([answer.status, answer.body]).toEqual([422, { error: "CASE_NOT_FOUND" }]);
    expect(world.fake.pinRequests.get(row.id)).toMatchObject({ status: PinRequestStatus.Failed, result: "CASE_NOT_FOUND" });
  });

  test("no configuration: NOT_CONFIGURED; missing columns: CONFIG_INCOMPLETE naming the column; never a Rescue call", async () => {
    const agent = world.agent();
    world.fake.configuration = null;
    expect((await world.askPin(world.request(agent))).body).toEqual({ error: "NOT_CONFIGURED" });
    world.configure({ endpoint: "" });
    expect((await world.askPin(world.request(agent))).body).toEqual({ error: "CONFIG_INCOMPLETE", field: "endpoint" });
    world.configure({ companyId: "" });
    const noCompany = await world.askPin(world.request(agent));
    expect(noCompany.status).toBe(503);
    expect(noCompany.body).toMatchObject({ error: "CONFIG_INCOMPLETE", field: "companyId", settingsId: expect.any(String) as unknown });
    world.configure();
    world.fake.ssoPasswordReadable = false;
    const row = world.request(agent);
    expect((await world.askPin(row)).body).toMatchObject({ error: "CONFIG_INCOMPLETE", field: "ssoPassword" });
    expect(world.fake.pinRequests.get(row.id)).toMatchObject({ status: PinRequestStatus.Failed, result: "CONFIG_INCOMPLETE" });
    expect(world.rescue.calls).toHaveLength(0);
    expect(world.logText()).toContain("LogMeIn Rescue Integration");
  });

  test("an agent with neither an SSO id in their settings nor an email: SSO_ID_MISSING naming the settings row created for them", async () => {
    const agent = world.agent({ email: "" });
    const row = world.request(agent);
    const answer = await world.askPin(row);
    const settings = world.fake.settingsOf(agent.id);
    expect(settings).toMatchObject({ userId: agent.id, ownerId: agent.id });
    expect([answer.status, answer.body]).toEqual([422, { error: "SSO_ID_MISSING", settingsId: settings?.id }]);
    expect(world.rescue.calls).toHaveLength(0);
    expect(world.fake.pinRequests.get(row.id)).toMatchObject({ status: PinRequestStatus.Failed, result: "SSO_ID_MISSING" });
  });

  test("Rescue reply words come back with the method, the settings id, and are recorded", async () => {
    const agent = world.agent();
    await world.askPin(world.request(agent));
    const settingsId = world.fake.settingsOf(agent.id)?.id;
    for (const word of ["NOTECHCONSOLERUNNING", "NOTTECHNICIAN", "OUTOFPINCODES", "USER_DELETED_OR_DISABLED", "ERROR", "SOMETHING_NEW"]) {
      world.rescue.reply("requestPINCode", `${word}\r\n`);
      const row = world.request(agent);
      const answer = await world.askPin(row);
      expect([answer.status, answer.body], word).toEqual([RESCUE_WORD_STATUS, { error: word, method: "requestPINCode", settingsId }]);
      expect(world.fake.pinRequests.get(row.id)).toMatchObject({ status: PinRequestStatus.Failed, result: word });
    }
    world.rescue.reply("requestPINCode", "<html><body>Server Error</body></html>");
    expect((await world.askPin(world.request(agent))).body).toMatchObject({ error: "RESCUE_EMPTY", method: "requestPINCode" });
  });

  test("requestAuthCodeSSO refusing the agent's email as SSO id says which email was tried; a refused company id does not", async () => {
    const agent = world.agent({ rescueKnowsEmail: false });
    const answer = await world.askPin(world.request(agent));
    expect([answer.status, answer.body]).toEqual([
      RESCUE_WORD_STATUS,
      { error: "INVALID", method: "requestAuthCodeSSO", emailAsSsoId: agent.email, settingsId: world.fake.settingsOf(agent.id)?.id },
    ]);
    world.configure({ companyId: "47-11" });
    const company = await world.askPin(world.request(agent));
    expect(company.body).toMatchObject({ error: "INVALIDPARAM_COMPANY", method: "requestAuthCodeSSO" });
    expect(company.body.emailAsSsoId).toBeUndefined();
    expect(world.rescue.callsTo("requestPINCode")).toHaveLength(0);
  });

  test("Rescue's HTTP errors, a dropped connection and Dataverse failures each have their word", async () => {
    const agent = world.agent();
    await world.askPin(world.request(agent));
    world.rescue.reply("requestPINCode", { status: 503, body: "Service Unavailable" });
    expect((await world.askPin(world.request(agent))).body).toMatchObject({ error: "RESCUE_HTTP", status: 503 });
    world.rescue.reply("requestPINCode", DROP);
    const dropped = await world.askPin(world.request(agent));
    expect([dropped.status, dropped.body.error]).toEqual([PIN_BROKER_REFUSALS.RESCUE_UNREACHABLE, "RESCUE_UNREACHABLE"]);
    const row = world.request(agent);
    world.fake.failNext(`lmi_pinrequests(${row.id})`, [{ status: 500, body: { error: { code: "0x80040216", message: "An unexpected error occurred." } } }], "GET");
    const failed = await world.askPin(row);
    expect([failed.status, failed.body]).toEqual([502, { error: "DATAVERSE_FAILED" }]);
  });
});

describe("the Rescue host allow list", () => {
  test("an endpoint whose host is not allowed is refused: nothing is sent to it, and /readyz is not ready", async () => {
    const agent = world.agent();
    world.configure({ endpoint: "https://rescue.evil.example/API" });
    const row = world.request(agent);
    const answer = await world.askPin(row);
    expect([answer.status, answer.body]).toEqual([503, { error: "ENDPOINT_NOT_ALLOWED" }]);
    expect(world.fake.pinRequests.get(row.id)).toMatchObject({ status: PinRequestStatus.Failed, result: "ENDPOINT_NOT_ALLOWED" });
    const ready = await fetch(`${world.running.baseUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks.rescueEndpoint).toBe("not allowed");
    world.configure();
    const allowed = await fetch(`${world.running.baseUrl}/readyz`);
    expect(((await allowed.json()) as { checks: Record<string, string> }).checks.rescueEndpoint).toBe("allowed");
    expect(world.rescue.calls).toHaveLength(0);
  });
});

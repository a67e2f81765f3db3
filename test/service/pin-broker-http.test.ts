/**
 * The HTTP face of `POST /api/pin`: CORS for the Dynamics origin on every answer and for no other
 * origin, the preflight, body size and type, malformed input, and the per-address rate limit —
 * each refusal in the protocol's shape, and none of them costing a Dataverse or Rescue call.
 */
import http from "node:http";
import { describe, expect, test } from "vitest";
import { PIN_API_PATH, PIN_BROKER_REFUSALS, PIN_REQUEST_MAX_BODY_BYTES, readPinBrokerFailure } from "../../src/pin/protocol";
import { PIN_RATE_LIMIT } from "../../src/service/pin-broker/routes";
import { DYNAMICS_ORIGIN } from "./support/harness";
import { PinWorld, type PinAnswer } from "./support/pin-world";
import { usePinWorld } from "./support/use-pin-world";

const world = usePinWorld();

/** Sends a raw request with node:http (chunked bodies, no Origin, any method). */
function rawRequest(
  baseUrl: string,
  options: { method?: string; headers?: Record<string, string>; chunks?: (string | Buffer)[] },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const url = new URL(`${baseUrl}${PIN_API_PATH}`);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: options.method ?? "POST", headers: options.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    request.on("error", reject);
    for (const chunk of options.chunks ?? []) request.write(chunk);
    request.end();
  });
}

function expectCors(answer: PinAnswer, what: string): void {
  expect(answer.headers.get("access-control-allow-origin"), what).toBe(DYNAMICS_ORIGIN);
  expect(answer.headers.get("access-control-allow-credentials"), what).toBeNull();
  expect(answer.headers.get("vary"), what).toMatch(/Origin/);
}

describe("CORS", () => {
  test("every answer — PIN or refusal — carries the CORS headers for the Dynamics origin, and its body is the protocol's", async () => {
    const agent = world.agent();
    const used = world.request(agent);
    await world.askPin(used);
    const answers: [string, PinAnswer][] = [
      ["PIN", await world.askPin(world.request(agent))],
      ["UNKNOWN_REQUEST", await world.askPin({ id: crypto.randomUUID(), nonce: "x".repeat(43) })],
      ["REQUEST_USED", await world.askPin(used)],
      ["REQUEST_EXPIRED", await world.askPin(world.request(agent, { ageMs: 10 * 60_000 }))],
      ["BAD_REQUEST", await world.askPin(null, { body: "{not json" })],
      ["UNSUPPORTED_MEDIA_TYPE", await world.askPin(used, { contentType: "text/plain" })],
      ["TOO_LARGE", await world.askPin(null, { body: JSON.stringify({ requestId: used.id, nonce: used.nonce, pad: "x".repeat(PIN_REQUEST_MAX_BODY_BYTES) }) })],
      ["CASE_NOT_FOUND", await world.askPin(world.request(agent, { incident: null }))],
    ];
    world.rescue.reply("requestPINCode", "NOTECHCONSOLERUNNING");
    answers.push(["NOTECHCONSOLERUNNING", await world.askPin(world.request(agent))]);
    world.fake.configuration = null;
    answers.push(["NOT_CONFIGURED", await world.askPin(world.request(agent))]);
    for (const [word, answer] of answers) {
      expectCors(answer, word);
      if (word === "PIN") continue;
      expect(readPinBrokerFailure(answer.body)?.error, word).toBe(word);
      const status = (PIN_BROKER_REFUSALS as Record<string, number>)[word] ?? 422;
      expect(answer.status, word).toBe(status);
    }
  });

  test("preflight: allowed for the Dynamics origin (POST, Content-Type), refused without CORS headers for any other", async () => {
    const allowed = await fetch(`${world.running.baseUrl}${PIN_API_PATH}`, {
      method: "OPTIONS",
      headers: { origin: DYNAMICS_ORIGIN, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(DYNAMICS_ORIGIN);
    expect(allowed.headers.get("access-control-allow-methods")).toBe("POST");
    expect(allowed.headers.get("access-control-allow-headers")?.toLowerCase()).toBe("content-type");
    expect(allowed.headers.get("access-control-allow-credentials")).toBeNull();
    expect(allowed.headers.get("access-control-allow-private-network")).toBeNull();
    const privateNetwork = await fetch(`${world.running.baseUrl}${PIN_API_PATH}`, {
      method: "OPTIONS",
      headers: { origin: DYNAMICS_ORIGIN, "access-control-request-method": "POST", "access-control-request-private-network": "true" },
    });
    expect(privateNetwork.status).toBe(204);
    expect(privateNetwork.headers.get("access-control-allow-private-network")).toBe("true");
    for (const origin of ["https://evil.example", "https://contoso.crm4.dynamics.com.evil.example", "null"]) {
      const refused = await fetch(`${world.running.baseUrl}${PIN_API_PATH}`, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } });
      expect(refused.status, origin).toBe(403);
      expect(refused.headers.get("access-control-allow-origin"), origin).toBeNull();
      expect(await refused.json()).toEqual({ error: "ORIGIN_NOT_ALLOWED" });
    }
  });

  test("a POST from another origin, or with no Origin at all, is refused without CORS headers and calls neither Dataverse nor Rescue", async () => {
    const row = world.request(world.agent());
    const before = world.dataverseCalls();
    for (const origin of ["https://evil.example", "http://contoso.crm4.dynamics.com", null]) {
      const answer = await world.askPin(row, { origin });
      expect([answer.status, answer.body], String(origin)).toEqual([403, { error: "ORIGIN_NOT_ALLOWED" }]);
      expect(answer.headers.get("access-control-allow-origin")).toBeNull();
    }
    expect(world.dataverseCalls()).toBe(before);
    expect(world.rescue.calls).toHaveLength(0);
    expect((await world.askPin(row)).status).toBe(200);
  });
});

describe("bodies", () => {
  test("malformed input is BAD_REQUEST and reads no row", async () => {
    const row = world.request(world.agent());
    const before = world.dataverseCalls();
    const bodies = [
      "",
      "null",
      "[]",
      '"text"',
      "{}",
      JSON.stringify({ requestId: row.id }),
      JSON.stringify({ nonce: row.nonce }),
      JSON.stringify({ requestId: `{${row.id}}`, nonce: row.nonce }),
      JSON.stringify({ requestId: "lmi_pinrequests(1)", nonce: row.nonce }),
      JSON.stringify({ requestId: row.id, nonce: "short" }),
      JSON.stringify({ requestId: row.id, nonce: `${row.nonce}=` }),
      JSON.stringify({ requestId: 42, nonce: row.nonce }),
      `{"requestId":"${row.id}","nonce":"${row.nonce}"`,
    ];
    for (const body of bodies) {
      const answer = await world.askPin(null, { body });
      expect([answer.status, answer.body], body).toEqual([400, { error: "BAD_REQUEST" }]);
    }
    const invalidUtf8 = await rawRequest(world.running.baseUrl, {
      headers: { origin: DYNAMICS_ORIGIN, "content-type": "application/json" },
      chunks: [`{"requestId":"${row.id}","nonce":"${row.nonce}`, Buffer.from([0xff]), '"}'],
    });
    expect(invalidUtf8.status).toBe(400);
    expect(world.dataverseCalls()).toBe(before);
    expect(world.rescue.calls).toHaveLength(0);
  });

  test("only JSON in UTF-8 is accepted: other types are UNSUPPORTED_MEDIA_TYPE", async () => {
    const row = world.request(world.agent());
    for (const contentType of ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=iso-8859-1", "multipart/form-data; boundary=x"]) {
      const answer = await world.askPin(row, { contentType });
      expect([answer.status, answer.body], contentType).toEqual([415, { error: "UNSUPPORTED_MEDIA_TYPE" }]);
    }
    expect((await world.askPin(row, { contentType: "application/json; charset=UTF-8" })).status).toBe(200);
  });

  test("a body over 4 KiB is TOO_LARGE, also when it arrives chunked without a length", async () => {
    const pad = "x".repeat(PIN_REQUEST_MAX_BODY_BYTES);
    const declared = await world.askPin(null, { body: JSON.stringify({ pad }) });
    expect([declared.status, declared.body]).toEqual([413, { error: "TOO_LARGE" }]);
    const chunked = await rawRequest(world.running.baseUrl, {
      headers: { origin: DYNAMICS_ORIGIN, "content-type": "application/json", "transfer-encoding": "chunked" },
      chunks: ['{"pad":"', ...Array.from({ length: 9 }, () => "y".repeat(512)), '"}'],
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body)).toEqual({ error: "TOO_LARGE" });
    expect(chunked.headers["access-control-allow-origin"]).toBe(DYNAMICS_ORIGIN);
    // Exactly at the limit is read (and refused only for what it says).
    const exact = JSON.stringify({ requestId: crypto.randomUUID(), nonce: "n".repeat(43), pad: "" });
    const atLimit = exact.replace('"pad":""', `"pad":"${"z".repeat(PIN_REQUEST_MAX_BODY_BYTES - exact.length)}"`);
    expect(Buffer.byteLength(atLimit)).toBe(PIN_REQUEST_MAX_BODY_BYTES);
    expect((await world.askPin(null, { body: atLimit })).body).toEqual({ error: "UNKNOWN_REQUEST" });
  });

  test("other methods on /api/pin are not routes", async () => {
    const answer = await rawRequest(world.running.baseUrl, { method: "GET", headers: { origin: DYNAMICS_ORIGIN } });
    expect(answer.status).toBe(404);
  });
});

describe("rate limit", () => {
  test("the production limit leaves room for an agent's bursts (at least 30 a minute) and then answers RATE_LIMITED with CORS and retryAfterSeconds", async () => {
    expect(PIN_RATE_LIMIT.max).toBeGreaterThanOrEqual(30);
    expect(PIN_RATE_LIMIT.timeWindowMs).toBe(60_000);
    const limited = await new PinWorld().start({ pinBroker: { rateLimit: PIN_RATE_LIMIT } });
    try {
      const row = limited.request(limited.agent());
      for (let call = 0; call < PIN_RATE_LIMIT.max; call += 1) {
        expect((await limited.askPin(null, { body: "{}" })).status, `call ${call + 1}`).toBe(400);
      }
      const refused = await limited.askPin(row);
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual({ error: "RATE_LIMITED", retryAfterSeconds: expect.any(Number) as unknown });
      expect(refused.body.retryAfterSeconds).toBeGreaterThan(0);
      expect(refused.body.retryAfterSeconds).toBeLessThanOrEqual(60);
      expect(refused.headers.get("retry-after")).toBe(String(refused.body.retryAfterSeconds));
      expectCors(refused, "RATE_LIMITED");
      expect(limited.fake.pinRequests.get(row.id)?.status).toBe(row.status);
      expect(limited.rescue.calls).toHaveLength(0);
      // The preflight is not counted.
      const preflight = await fetch(`${limited.running.baseUrl}${PIN_API_PATH}`, { method: "OPTIONS", headers: { origin: DYNAMICS_ORIGIN } });
      expect(preflight.status).toBe(204);
    } finally {
      await limited.stop();
    }
  });

  test("the address is the TCP peer: a forged X-Forwarded-For does not buy a fresh allowance", async () => {
    const limited = await new PinWorld().start({ pinBroker: { rateLimit: { max: 3, timeWindowMs: 60_000 } } });
    try {
      const statuses: number[] = [];
      for (let call = 0; call < 5; call += 1) statuses.push((await limited.askPin(null, { body: "{}", headers: { "x-forwarded-for": `203.0.113.${call}` } })).status);
      expect(statuses).toEqual([400, 400, 400, 429, 429]);
    } finally {
      await limited.stop();
    }
  });

  test("behind one trusted proxy (TRUST_PROXY=1) each client address named by the proxy has its own allowance", async () => {
    const limited = await new PinWorld().start({ pinBroker: { rateLimit: { max: 2, timeWindowMs: 60_000 } } }, { trustProxy: 1 });
    try {
      // The proxy appends the address it saw; what the client wrote before it is not trusted.
      const from = (client: string, forged = "198.51.100.7"): Promise<PinAnswer> =>
        limited.askPin(null, { body: "{}", headers: { "x-forwarded-for": `${forged}, ${client}` } });
      expect([(await from("203.0.113.1")).status, (await from("203.0.113.1")).status, (await from("203.0.113.1")).status]).toEqual([400, 400, 429]);
      expect((await from("203.0.113.2")).status).toBe(400);
      expect((await from("203.0.113.1", "203.0.113.99")).status).toBe(429);
    } finally {
      await limited.stop();
    }
  });
});

import { describe, expect, it } from "vitest";
import { askServiceForPin } from "../../src/pin/broker-client";
import { PinError } from "../../src/pin/failures";
import { readPinBrokerFailure } from "../../src/pin/protocol";
import { BrokerFake, SUCCESS } from "./support/broker-fake";

const ROOT = "https://integration.contoso.com";
const REQUEST = { requestId: "7d6c5b4a-3928-4716-a5b4-c3d2e1f0a9b8", nonce: "n".repeat(43) };
const CONTEXT = { origin: "https://contoso.crm4.dynamics.com" };

describe("reading the broker's failure answer (src/pin/protocol.ts)", () => {
  it("keeps each well-formed field and leaves out bad ones", () => {
    expect(readPinBrokerFailure({ error: "INVALID", method: "requestAuthCodeSSO", emailAsSsoId: "dana@contoso.com", settingsId: "6E5D4C3B-2A19-4807-B6F5-E4D3C2B1A098" })).toEqual({
      error: "INVALID",
      method: "requestAuthCodeSSO",
      emailAsSsoId: "dana@contoso.com",
      settingsId: "6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a098",
    });
    expect(readPinBrokerFailure({ error: "CONFIG_INCOMPLETE", field: "ssoPassword" })).toEqual({ error: "CONFIG_INCOMPLETE", field: "ssoPassword" });
    expect(readPinBrokerFailure({ error: "CONFIG_INCOMPLETE", field: "lmi_ssopassword" })).toEqual({ error: "CONFIG_INCOMPLETE" });
    expect(readPinBrokerFailure({ error: "RESCUE_HTTP", status: 503 })).toEqual({ error: "RESCUE_HTTP", status: 503 });
    expect(readPinBrokerFailure({ error: "RATE_LIMITED", retryAfterSeconds: 12.4 })).toEqual({ error: "RATE_LIMITED", retryAfterSeconds: 12 });
    expect(readPinBrokerFailure({ error: "RATE_LIMITED", retryAfterSeconds: -3 })).toEqual({ error: "RATE_LIMITED", retryAfterSeconds: 0 });
    expect(readPinBrokerFailure({ error: "SSO_ID_MISSING", settingsId: "not-a-guid" })).toEqual({ error: "SSO_ID_MISSING" });
  });

  it("is not a failure without a well-formed word", () => {
    for (const body of [{ error: "bad word" }, { error: 42 }, "REQUEST_USED", null, []]) expect(readPinBrokerFailure(body), JSON.stringify(body)).toBeNull();
  });

  it("keeps any identifier as the method (it only goes into the console detail)", () => {
    expect(readPinBrokerFailure({ error: "ERROR", method: "someFutureCall" })?.method).toBe("someFutureCall");
    expect(readPinBrokerFailure({ error: "ERROR", method: "<script>" })?.method).toBeUndefined();
  });
});

describe("asking the service for the PIN", () => {
  it("posts the request as JSON without credentials and reads the success", async () => {
    const broker = new BrokerFake();
    await expect(askServiceForPin(ROOT, REQUEST, { fetch: broker.fetch }, CONTEXT)).resolves.toEqual({ ok: true, success: SUCCESS });
    expect(broker.calls[0]?.url).toBe(`${ROOT}/api/pin`);
    expect(broker.calls[0]?.init).toMatchObject({ method: "POST", credentials: "omit", mode: "cors", referrerPolicy: "no-referrer" });
    expect(broker.calls[0]?.init.body).toBe(JSON.stringify(REQUEST));
  });

  it("returns a failure word with its HTTP status", async () => {
    const broker = new BrokerFake().reply({ status: 410, json: { error: "REQUEST_EXPIRED" } });
    await expect(askServiceForPin(ROOT, REQUEST, { fetch: broker.fetch }, CONTEXT)).resolves.toEqual({ ok: false, status: 410, failure: expect.objectContaining({ error: "REQUEST_EXPIRED" }) as unknown });
  });

  it("a failure word on HTTP 200 is not a PIN: a bad answer", async () => {
    const broker = new BrokerFake().reply({ status: 200, json: { error: "REQUEST_USED" } });
    const error = await askServiceForPin(ROOT, REQUEST, { fetch: broker.fetch }, CONTEXT).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PinError);
    expect((error as PinError).key).toBe("Ribbon.Error.serviceBadAnswer");
  });

  it("tells a CORS refusal from an unreachable service by the no-cors /healthz probe", async () => {
    for (const [probe, key, args] of [
      ["up", "Ribbon.Error.serviceCors", [ROOT, CONTEXT.origin]],
      ["down", "Ribbon.Error.serviceUnreachable", [ROOT]],
    ] as const) {
      const broker = new BrokerFake().reply({ transport: "reject" });
      broker.probe = probe;
      const error = (await askServiceForPin(ROOT, REQUEST, { fetch: broker.fetch }, CONTEXT).catch((caught: unknown) => caught)) as PinError;
      expect(error.key).toBe(key);
      expect(error.args).toEqual(args);
      expect(broker.probes.map((call) => [call.url, call.init.mode, call.init.credentials, call.init.body])).toEqual([[`${ROOT}/healthz`, "no-cors", "omit", undefined]]);
    }
  });

  it("gives up after the timeout and does not probe", async () => {
    const broker = new BrokerFake().reply({ transport: "hang" });
    const started = performance.now();
    const error = (await askServiceForPin(ROOT, REQUEST, { fetch: broker.fetch, timeoutMs: 50 }, CONTEXT).catch((caught: unknown) => caught)) as PinError;
    expect(error.key).toBe("Ribbon.Error.serviceTimeout");
    expect(error.args).toEqual([1]);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(broker.probes).toEqual([]);
  });
});

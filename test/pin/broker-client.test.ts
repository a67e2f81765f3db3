import { describe, expect, it } from "vitest";
import { askServiceForPin, readBrokerFailure } from "../../src/pin/broker-client";
import { PinError } from "../../src/pin/failures";
import { readPinBrokerFailure } from "../../src/pin/protocol";
import { BrokerFake, SUCCESS } from "../ribbon/support/broker-fake";

const ROOT = "https://integration.contoso.com";
const REQUEST = { requestId: "7d6c5b4a-3928-4716-a5b4-c3d2e1f0a9b8", nonce: "n".repeat(43) };
const CONTEXT = { origin: "https://contoso.crm4.dynamics.com" };

describe("reading the broker's failure answer", () => {
  it("reads what the protocol's reader reads (without naming the Rescue methods)", () => {
    const bodies: unknown[] = [
      { error: "NOTTECHNICIAN", method: "requestPINCode" },
      { error: "INVALID", method: "requestAuthCodeSSO", emailAsSsoId: "dana@contoso.com", settingsId: "6E5D4C3B-2A19-4807-B6F5-E4D3C2B1A098" },
      { error: "CONFIG_INCOMPLETE", field: "ssoPassword" },
      { error: "CONFIG_INCOMPLETE", field: "lmi_ssopassword" },
      { error: "RESCUE_HTTP", status: 503 },
      { error: "RATE_LIMITED", retryAfterSeconds: 12.4 },
      { error: "RATE_LIMITED", retryAfterSeconds: -3 },
      { error: "SSO_ID_MISSING", settingsId: "not-a-guid" },
      { error: "bad word" },
      { error: 42 },
      "REQUEST_USED",
      null,
      [],
    ];
    for (const body of bodies) {
      const mine = readBrokerFailure(body);
      const contract = readPinBrokerFailure(body);
      const defined = (value: object | null): object | null => (value ? Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) : null);
      expect(defined(mine), JSON.stringify(body)).toEqual(defined(contract));
    }
  });

  it("keeps any identifier as the method (it only goes into the console detail)", () => {
    expect(readBrokerFailure({ error: "ERROR", method: "someFutureCall" })?.method).toBe("someFutureCall");
    expect(readBrokerFailure({ error: "ERROR", method: "<script>" })?.method).toBeUndefined();
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

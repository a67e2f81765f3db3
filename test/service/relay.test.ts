/**
 * The Rescue API relay: form body and reply passed through unchanged, only the three methods,
 * CORS for the configured Dynamics origin only, no field values in the logs.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { FakeDataverse } from "./support/fake-dataverse";
import { DYNAMICS_ORIGIN, makeTempDir, removeDir, startFakeDataverse, startService, type RunningService } from "./support/harness";

let fake: FakeDataverse;
let spoolDir: string;
let running: RunningService;

beforeAll(async () => {
  fake = await startFakeDataverse();
  spoolDir = await makeTempDir();
  running = await startService(fake, spoolDir);
});
afterAll(async () => {
  await running.stop();
  await fake.stop();
  await removeDir(spoolDir);
});

const FORM = "application/x-www-form-urlencoded; charset=UTF-8";
const relay = (method: string, body: string, origin: string | null = DYNAMICS_ORIGIN): Promise<Response> =>
  fetch(`${running.baseUrl}/api/rescue/${method}`, {
    method: "POST",
    headers: { "content-type": FORM, ...(origin === null ? {} : { origin }) },
    body,
  });

describe("Rescue relay", () => {
  test("requestPINCode: the form body goes through byte for byte and the reply comes back as is", async () => {
    const body = "cfield0=Carla%20Customer&cfield1=carla%40example.com&tracking0=0f8fad5b-d9cb-469f-a165-70867728950e&notechconsole=0&authcode=SECRET-AUTH-CODE&NodeId=42";
    const response = await relay("requestPINCode.aspx", body);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("OK PINCODE:012345\r\n");
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(response.headers.get("access-control-allow-origin")).toBe(DYNAMICS_ORIGIN);
    const call = fake.relayCalls.at(-1);
    expect(call).toEqual({ path: "/rescue/API/requestPINCode.aspx", contentType: FORM, body });
  });

  test("requestAuthCodeSSO and getAccount are relayed; anything else is 404 and never forwarded", async () => {
    const sso = await relay("requestAuthCodeSSO.aspx", "ssoid=a%40b.com&pwd=SSO-PASSWORD&company=123");
    expect(await sso.text()).toBe("OK ECHO:ssoid=a%40b.com&pwd=SSO-PASSWORD&company=123");
    const account = await relay("getAccount.aspx", "authcode=SECRET-AUTH-CODE");
    expect(account.status).toBe(200);
    expect(fake.relayCalls.at(-1)?.path).toBe("/rescue/API/getAccount.aspx");
    const calls = fake.relayCalls.length;
    for (const method of ["requestPINCode", "deleteTechnician.aspx", "..%2FrequestPINCode.aspx", "requestPINCode.aspx.bak"]) {
      expect((await relay(method, "x=1")).status, method).toBe(404);
    }
    expect(fake.relayCalls.length).toBe(calls);
  });

  test("CORS preflight: allowed for the configured origin, refused for others", async () => {
    const allowed = await fetch(`${running.baseUrl}/api/rescue/requestPINCode.aspx`, {
      method: "OPTIONS",
      headers: { origin: DYNAMICS_ORIGIN, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(DYNAMICS_ORIGIN);
    expect(allowed.headers.get("access-control-allow-methods")).toBe("POST");
    expect(allowed.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("content-type");

    const refused = await fetch(`${running.baseUrl}/api/rescue/requestPINCode.aspx`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("a POST from another origin is refused and not forwarded", async () => {
    const calls = fake.relayCalls.length;
    const response = await relay("requestPINCode.aspx", "authcode=x", "https://evil.example");
    expect(response.status).toBe(403);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(fake.relayCalls.length).toBe(calls);
  });

  test("the relay logs no field values", () => {
    const text = running.logs.lines.join("");
    expect(text).toContain("relayed Rescue API call");
    for (const value of ["SECRET-AUTH-CODE", "SSO-PASSWORD", "Carla", "carla%40example.com", "a%40b.com"]) expect(text).not.toContain(value);
  });
});

/**
 * The Rescue API client on its own, over the service's HTTPS transport (fetch) against the fake
 * Rescue (HTTPS on 127.0.0.1): request shape, reply parsing, truncation, failures, timeouts, no
 * redirects, the host allow list, and the documented v1 fields of each method.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { pinCodeFields, RescueApi } from "../../src/rescue/api";
import { callRescue, rescueUrl, RescueTransportError, type RescueTransport } from "../../src/rescue/client";
import { checkRescueEndpoint, DEFAULT_RESCUE_ALLOWED_HOSTS, normalizeHostEntry } from "../../src/rescue/endpoint";
import { parseReply, REPLY_VALUES, RESCUE_WORDS } from "../../src/rescue/replies";
import { RESCUE_FIELD_LIMITS } from "../../src/rescue/text";
import { truncateText } from "../../src/common/text";
import { HttpsClient } from "../../src/service/https-client";
import { createRescueTransport, HostNotAllowedError } from "../../src/service/pin-broker/rescue-transport";
import { DROP, FakeRescue, HANG } from "../service/support/fake-rescue";
import { testCertificate, trustedCertificates } from "../service/support/harness";

const rescue = new FakeRescue(testCertificate());
const http = new HttpsClient({ trustedCertificates: trustedCertificates() });
let transport: RescueTransport;

beforeAll(async () => {
  await rescue.start();
  transport = createRescueTransport({ http, allowedHosts: [rescue.host] });
});
afterAll(async () => {
  await http.close();
  await rescue.close();
});
beforeEach(() => {
  rescue.reset();
});

describe("callRescue", () => {
  it("POSTs a UTF-8 form body to <endpoint>/<method>.aspx, secrets in the body only", async () => {
    rescue.reply("requestAuthCodeSSO", "OK AUTHCODE: fresh-auth-code-7f3e9a\r\n");
    const reply = await callRescue(`${rescue.endpoint}//`, "requestAuthCodeSSO", { ssoid: "jan@voorbeeld.nl", pwd: "p&ss=wörd +1", company: "42" }, transport);
    expect(reply).toBe("OK AUTHCODE: fresh-auth-code-7f3e9a");
    const call = rescue.calls[0];
    expect(call?.path).toBe("/API/requestAuthCodeSSO.aspx");
    expect(call?.httpMethod).toBe("POST");
    expect(call?.contentType).toBe("application/x-www-form-urlencoded; charset=UTF-8");
    expect(call?.rawBody).toBe("ssoid=jan%40voorbeeld.nl&pwd=p%26ss%3Dw%C3%B6rd+%2B1&company=42");
    expect(call?.fields).toEqual({ ssoid: "jan@voorbeeld.nl", pwd: "p&ss=wörd +1", company: "42" });
  });

  it("builds the method URL from any endpoint spelling", () => {
    expect(rescueUrl(" https://secure.logmeinrescue.com/API/ ", "requestPINCode")).toBe("https://secure.logmeinrescue.com/API/requestPINCode.aspx");
    expect(rescueUrl("https://securebeta.logmeinrescue.com/API", "getAccount")).toBe("https://securebeta.logmeinrescue.com/API/getAccount.aspx");
  });

  it("trims the reply (trailing newlines occur)", async () => {
    rescue.reply("requestPINCode", "  OK PINCODE:123456\r\n\r\n");
    expect(await callRescue(rescue.endpoint, "requestPINCode", {}, transport)).toBe("OK PINCODE:123456");
  });

  it("reports HTTP errors, network failures and timeouts without the body", async () => {
    rescue.reply("requestPINCode", { status: 502, body: "Bad gateway" }, DROP, HANG);
    const fields = { authcode: "secret-code-123" };
    const failures: RescueTransportError[] = [];
    for (const timeoutMs of [20_000, 20_000, 300]) {
      failures.push((await callRescue(rescue.endpoint, "requestPINCode", fields, transport, timeoutMs).catch((error: unknown) => error)) as RescueTransportError);
    }
    expect(failures.map((error) => [error.kind, error.value])).toEqual([
      ["http", 502],
      ["network", 0],
      ["timeout", 0],
    ]);
    for (const error of failures) {
      expect(error).toBeInstanceOf(RescueTransportError);
      expect(error.message).toMatch(/^Rescue requestPINCode: /);
      expect(error.message).not.toContain("secret-code-123");
      expect(error.message).not.toContain("Bad gateway");
    }
  });

  it("follows no redirect: a 3xx is Rescue's answer, and the form (with its secrets) goes nowhere else", async () => {
    rescue.reply("requestAuthCodeSSO", { status: 307, headers: { location: `${rescue.endpoint}/getAccount.aspx` } });
    const error = (await callRescue(rescue.endpoint, "requestAuthCodeSSO", { pwd: "company-password" }, transport).catch((e: unknown) => e)) as RescueTransportError;
    expect([error.kind, error.value]).toEqual(["http", 307]);
    expect(rescue.calls.map((c) => c.method)).toEqual(["requestAuthCodeSSO"]);
  });

  it("a call with no time left sends nothing", async () => {
    const error = (await callRescue(rescue.endpoint, "requestPINCode", { authcode: "x" }, transport, 0).catch((e: unknown) => e)) as RescueTransportError;
    expect([error.kind, error.value]).toEqual(["timeout", 0]);
    expect(rescue.calls).toHaveLength(0);
  });

  it("sends nothing to a host that is not on the allow list", async () => {
    const strict = createRescueTransport({ http, allowedHosts: [...DEFAULT_RESCUE_ALLOWED_HOSTS] });
    const error = (await callRescue(rescue.endpoint, "requestAuthCodeSSO", { pwd: "company-password" }, strict).catch((e: unknown) => e)) as RescueTransportError;
    expect(error.kind).toBe("network");
    expect(error.cause).toBeInstanceOf(HostNotAllowedError);
    expect(rescue.calls).toHaveLength(0);
  });
});

describe("RescueApi", () => {
  it("sends each method's documented fields and reads its reply", async () => {
    rescue.addTechnician("api.user@contoso.com", "8080");
    const api = new RescueApi(transport);
    const code = await api.requestAuthCodeSSO(rescue.endpoint, { ssoId: "api.user@contoso.com", password: rescue.ssoPassword, companyId: rescue.companyId });
    expect(code).toMatch(/^ac-/);
    expect(await api.getAccount(rescue.endpoint, code as string)).toBe("8080");
    const pin = await api.requestPINCode(rescue.endpoint, { authCode: code as string, customerName: "C", customerEmail: "c@example.com", caseNumber: "CAS-1", caseId: "{ABC}", requireActiveTechConsole: false });
    expect(pin).toMatch(/^\d{6}$/);
    expect(await api.requestPINCode(rescue.endpoint, { authCode: "stale", customerName: "", customerEmail: null, caseNumber: "", caseId: "", requireActiveTechConsole: true })).toEqual({
      word: "INVALID_SECRETAUTHCODE",
    });
    expect(rescue.calls.map((c) => [c.method, c.fieldNames])).toEqual([
      ["requestAuthCodeSSO", ["ssoid", "pwd", "company"]],
      ["getAccount", ["authcode"]],
      ["requestPINCode", ["authcode", "cfield0", "cfield1", "cfield2", "tracking0", "notechconsole"]],
      ["requestPINCode", ["authcode", "cfield0", "cfield2", "tracking0", "notechconsole"]],
    ]);
  });

  it("pinCodeFields: cfield1 only when passed, no NodeId, limits kept, the Case id without braces in lower case", () => {
    const base = { authCode: "A", customerName: "n".repeat(70), customerEmail: "e".repeat(600), caseNumber: "c".repeat(600), caseId: "{0F8FAD5B-D9CB-469F-A165-70867728950E}", requireActiveTechConsole: false };
    expect(pinCodeFields(base)).toEqual({
      authcode: "A",
      cfield0: "n".repeat(RESCUE_FIELD_LIMITS.cfield0),
      cfield1: "e".repeat(RESCUE_FIELD_LIMITS.cfield1),
      cfield2: "c".repeat(RESCUE_FIELD_LIMITS.cfield2),
      tracking0: "0f8fad5b-d9cb-469f-a165-70867728950e",
      notechconsole: "1",
    });
    expect(Object.keys(pinCodeFields({ ...base, customerEmail: null, requireActiveTechConsole: true }))).toEqual(["authcode", "cfield0", "cfield2", "tracking0", "notechconsole"]);
    expect(pinCodeFields({ ...base, customerEmail: "" })).toMatchObject({ cfield1: "" });
    expect(pinCodeFields({ ...base, requireActiveTechConsole: true }).notechconsole).toBe("0");
  });
});

describe("the Rescue host allow list", () => {
  it("normalizes host[:port] entries as URL.host spells them and refuses anything else", () => {
    expect(normalizeHostEntry("Secure.LogMeInRescue.com")).toBe("secure.logmeinrescue.com");
    expect(normalizeHostEntry(" secure.logmeinrescue.com:443 ")).toBe("secure.logmeinrescue.com");
    expect(normalizeHostEntry("127.0.0.1:8443")).toBe("127.0.0.1:8443");
    expect(normalizeHostEntry("[::1]:9443")).toBe("[::1]:9443");
    for (const bad of ["", "https://secure.logmeinrescue.com", "secure.logmeinrescue.com/API", "user:pw@host", "host:99999", "host:", "*.logmeinrescue.com", "a b"]) {
      expect(normalizeHostEntry(bad), bad).toBeNull();
    }
  });

  it("allows only https endpoints on a listed host and port", () => {
    const hosts = ["secure.logmeinrescue.com", "127.0.0.1:8443"];
    expect(checkRescueEndpoint("https://secure.logmeinrescue.com/API", hosts)).toBe("allowed");
    expect(checkRescueEndpoint("https://SECURE.logmeinrescue.com:443/API/", hosts)).toBe("allowed");
    expect(checkRescueEndpoint("https://127.0.0.1:8443/API", hosts)).toBe("allowed");
    expect(checkRescueEndpoint("  ", hosts)).toBe("missing");
    expect(checkRescueEndpoint("secure.logmeinrescue.com/API", hosts)).toBe("invalid");
    for (const endpoint of [
      "http://secure.logmeinrescue.com/API",
      "https://secure.logmeinrescue.com:8443/API",
      "https://127.0.0.1/API",
      "https://secure.logmeinrescue.com.evil.example/API",
      "https://user:pw@secure.logmeinrescue.com/API",
      "https://evil.example/secure.logmeinrescue.com/API",
    ]) {
      expect(checkRescueEndpoint(endpoint, hosts), endpoint).toBe("notAllowed");
    }
  });
});

describe("parseReply", () => {
  it("reads PINs as zero-padded strings, tolerating spaces and case", () => {
    expect(parseReply("OK PINCODE:012345", REPLY_VALUES.requestPINCode)).toBe("012345");
    expect(parseReply("OK PINCODE: 000001\n", REPLY_VALUES.requestPINCode)).toBe("000001");
    expect(parseReply("ok pincode:987654", REPLY_VALUES.requestPINCode)).toBe("987654");
    expect(parseReply("OK PINCODE:12345", REPLY_VALUES.requestPINCode)).toEqual({ word: "OK" });
    expect(parseReply("OK PINCODE:1234567", REPLY_VALUES.requestPINCode)).toEqual({ word: "OK" });
  });

  it("reads auth codes", () => {
    expect(parseReply("OK AUTHCODE: a1B2-c3_D4+e5/f6==", REPLY_VALUES.requestAuthCodeSSO)).toBe("a1B2-c3_D4+e5/f6==");
    expect(parseReply("OK AUTHCODE:abc\r\n", REPLY_VALUES.requestAuthCodeSSO)).toBe("abc");
  });

  it("reads the technician id from getAccount", () => {
    const reply = "OK AccountID:123 Organization:Contoso Support B.V. AdminID:9 TechID:4242 Email:dana@contoso.com";
    expect(parseReply(reply, REPLY_VALUES.getAccount)).toBe("4242");
    expect(parseReply("OK AccountID:1 TechID:0 Email:x@y.z", REPLY_VALUES.getAccount)).toBe("0");
  });

  it("returns every failure word, and no more of the body than the word", () => {
    for (const word of RESCUE_WORDS) expect(parseReply(`${word}\r\n`, REPLY_VALUES.requestPINCode)).toEqual({ word });
    expect(parseReply("notloggedin", REPLY_VALUES.requestPINCode)).toEqual({ word: "NOTLOGGEDIN" });
    expect(parseReply("ERROR: something secret-ish happened", REPLY_VALUES.requestPINCode)).toEqual({ word: "ERROR" });
    expect(parseReply("<html>Server Error</html>", REPLY_VALUES.requestPINCode)).toEqual({ word: "" });
    expect(parseReply("", REPLY_VALUES.requestPINCode)).toEqual({ word: "" });
  });
});

describe("truncateText", () => {
  it("leaves values within the limit alone", () => {
    expect(truncateText("Jan de Vries", RESCUE_FIELD_LIMITS.cfield0)).toBe("Jan de Vries");
    expect(truncateText("a".repeat(64), 64)).toHaveLength(64);
  });

  it("never splits a surrogate pair", () => {
    const value = `${"a".repeat(63)}😀`;
    expect(value.length).toBe(65);
    expect(truncateText(value, 64)).toBe("a".repeat(63));
  });

  it("never splits a combined character, a ZWJ emoji or a flag", () => {
    const decomposed = `${"a".repeat(62)}e\u0301x`; // é written as e + combining acute
    expect(truncateText(decomposed, 63)).toBe("a".repeat(62));
    expect(truncateText(`${"b".repeat(60)}👩‍💻`, 64)).toBe("b".repeat(60));
    expect(truncateText(`${"c".repeat(62)}🇳🇱`, 64)).toBe(`${"c".repeat(62)}`);
    expect(truncateText(`${"c".repeat(60)}🇳🇱zz`, 64)).toBe(`${"c".repeat(60)}🇳🇱`);
  });

  it("counts UTF-16 code units, as Rescue (ASP.NET) does", () => {
    expect(truncateText("é".repeat(100), 64)).toBe("é".repeat(64));
    expect(truncateText("漢".repeat(600), RESCUE_FIELD_LIMITS.cfield1)).toHaveLength(512);
  });
});

/** The Rescue API client on its own: request shape, reply parsing, truncation, failures. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { callRescue, rescueUrl, RescueTransportError } from "../../src/rescue/client";
import { parseReply, REPLY_VALUES, RESCUE_WORDS } from "../../src/rescue/replies";
import { RESCUE_FIELD_LIMITS, truncateText } from "../../src/rescue/text";
import { DROP, HANG, RescueFake } from "../ribbon/support/rescue-fake";

const rescue = new RescueFake();
const transport = { fetch: (input: string, init: RequestInit) => fetch(input, init) };

beforeAll(async () => {
  await rescue.start();
});
afterAll(async () => {
  await rescue.close();
});
beforeEach(() => {
  rescue.reset();
});

describe("callRescue", () => {
  it("POSTs a UTF-8 form body to <endpoint>/<method>.aspx, secrets in the body only", async () => {
    const reply = await callRescue(`${rescue.endpoint}//`, "requestAuthCodeSSO", { ssoid: "jan@voorbeeld.nl", pwd: "p&ss=wörd +1", company: "42" }, transport);
    expect(reply).toBe("OK AUTHCODE: fresh-auth-code-7f3e9a");
    const call = rescue.calls[0];
    expect(call?.url).toBe("/API/requestAuthCodeSSO.aspx");
    expect(call?.httpMethod).toBe("POST");
    expect(call?.contentType).toBe("application/x-www-form-urlencoded; charset=UTF-8");
    expect(call?.rawBody).toBe("ssoid=jan%40voorbeeld.nl&pwd=p%26ss%3Dw%C3%B6rd+%2B1&company=42");
    expect(call?.fields).toEqual({ ssoid: "jan@voorbeeld.nl", pwd: "p&ss=wörd +1", company: "42" });
  });

  it("builds the method URL from any endpoint spelling", () => {
    expect(rescueUrl(" https://secure.logmeinrescue.com/API/ ", "requestPINCode")).toBe("https://secure.logmeinrescue.com/API/requestPINCode.aspx");
    expect(rescueUrl("https://relay.contoso.com/api/rescue", "getAccount")).toBe("https://relay.contoso.com/api/rescue/getAccount.aspx");
  });

  it("trims the reply (trailing newlines occur)", async () => {
    rescue.reply("requestPINCode", "  OK PINCODE:123456\r\n\r\n");
    expect(await callRescue(rescue.endpoint, "requestPINCode", {}, transport)).toBe("OK PINCODE:123456");
  });

  it("reports HTTP errors, network failures and timeouts without the body or the endpoint", async () => {
    rescue.reply("requestPINCode", { status: 502, body: "Bad gateway" }, DROP, HANG);
    const fields = { authcode: "secret-code-123" };
    const failures: RescueTransportError[] = [];
    for (const timeoutMs of [20_000, 20_000, 300]) {
      failures.push((await callRescue(rescue.endpoint, "requestPINCode", fields, { ...transport, timeoutMs }).catch((error: unknown) => error)) as RescueTransportError);
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
      expect(error.message).not.toContain("127.0.0.1");
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

import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { base64Url, createNonce } from "../../src/pin/nonce";
import { PIN_NONCE_BYTES, PIN_NONCE_PATTERN } from "../../src/pin/protocol";

describe("the PIN request nonce", () => {
  it("encodes base64url without padding (RFC 4648 §10 vectors, url alphabet)", () => {
    const vectors: [string, string][] = [
      ["", ""],
      ["f", "Zg"],
      ["fo", "Zm8"],
      ["foo", "Zm9v"],
      ["foob", "Zm9vYg"],
      ["fooba", "Zm9vYmE"],
      ["foobar", "Zm9vYmFy"],
    ];
    for (const [plain, encoded] of vectors) expect(base64Url(new TextEncoder().encode(plain))).toBe(encoded);
    expect(base64Url(Uint8Array.from([0xfb, 0xff, 0xbf]))).toBe("-_-_");
  });

  it("agrees with Node's base64url for random bytes", () => {
    for (let run = 0; run < 200; run++) {
      const bytes = randomBytes(run % 40);
      expect(base64Url(bytes)).toBe(bytes.toString("base64url"));
    }
  });

  it("is 32 bytes from the random source, 43 characters the service accepts", () => {
    const requested: number[] = [];
    const nonce = createNonce((bytes) => {
      requested.push(bytes.length);
      return crypto.getRandomValues(bytes);
    });
    expect(requested).toEqual([PIN_NONCE_BYTES]);
    expect(PIN_NONCE_BYTES).toBe(32);
    expect(nonce).toHaveLength(43);
    expect(nonce).toMatch(PIN_NONCE_PATTERN);
    expect(Buffer.from(nonce, "base64url")).toHaveLength(32);
  });

  it("differs every time", () => {
    const nonces = new Set(Array.from({ length: 1000 }, () => createNonce((bytes) => crypto.getRandomValues(bytes))));
    expect(nonces.size).toBe(1000);
  });
});

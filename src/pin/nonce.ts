/**
 * `lmi_nonce` of a PIN request (DESIGN.md §5, §7): the one-time secret only the browser that
 * created the row knows, sent once to the integration service, which compares it in constant
 * time. 32 bytes from the platform's cryptographic random source, base64url without padding
 * (43 characters), fresh for every click.
 */
import { PIN_NONCE_BYTES } from "./protocol";

/** Fills `bytes` with cryptographically strong random values (`crypto.getRandomValues` in browsers). */
export type RandomBytes = (bytes: Uint8Array) => Uint8Array;

/** base64url (RFC 4648 §5) without padding. */
export function base64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A new nonce: `PIN_NONCE_BYTES` random bytes, base64url. */
export function createNonce(randomBytes: RandomBytes): string {
  return base64Url(randomBytes(new Uint8Array(PIN_NONCE_BYTES)));
}

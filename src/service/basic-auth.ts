/**
 * HTTP Basic credentials check for the Post-to-URL receiver (Rescue sends them from a URL of
 * the form `https://user:password@host/api/integration`).
 *
 * Both user name and password are hashed to fixed-length digests and compared with
 * `timingSafeEqual`, and both comparisons always run, so the answer time does not depend on
 * how much of either matched or on their lengths.
 */
import { createHash, timingSafeEqual } from "node:crypto";

export const BASIC_REALM = 'Basic realm="LogMeIn Rescue integration", charset="UTF-8"';

export class BasicCredentials {
  private readonly userDigest: Buffer;
  private readonly passwordDigest: Buffer;

  constructor(username: string, password: string) {
    this.userDigest = digest(username);
    this.passwordDigest = digest(password);
  }

  /** True when the Authorization header carries exactly the configured credentials. */
  verify(authorization: string | undefined): boolean {
    const presented = parseBasic(authorization);
    const username = presented?.username ?? "";
    const password = presented?.password ?? "";
    // Rescue takes the credentials from a URL, so they may arrive percent-encoded: accept
    // either spelling. Every comparison runs whatever the outcome of the others.
    const rawOk = this.matches(username, password);
    const decodedOk = this.matches(decodeUrlPart(username), decodeUrlPart(password));
    return presented !== null && (rawOk || decodedOk);
  }

  private matches(username: string, password: string): boolean {
    const userOk = timingSafeEqual(digest(username), this.userDigest);
    const passwordOk = timingSafeEqual(digest(password), this.passwordDigest);
    return userOk && passwordOk;
  }
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** User name and password of a Basic Authorization header, or null if it is not one. */
export function parseBasic(authorization: string | undefined): { username: string; password: string } | null {
  if (authorization === undefined || authorization.length > 4096) return null;
  const match = /^Basic[ ]+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function decodeUrlPart(text: string): string {
  if (!text.includes("%")) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

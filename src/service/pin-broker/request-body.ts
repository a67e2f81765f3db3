/**
 * The body of `POST /api/pin`: `application/json` (UTF-8), `{"requestId":"<guid>","nonce":"<base64url>"}`.
 * Anything else is refused before the broker reads a row.
 */
import { PIN_NONCE_PATTERN, type PinBrokerRequest } from "../../pin/protocol";
import { GUID_PATTERN } from "../../common/guid";
import { PinRefusal } from "./refusal";

/** Throws `UNSUPPORTED_MEDIA_TYPE` unless the content type is JSON in UTF-8 (or without a charset). */
export function checkContentType(contentType: string | undefined): void {
  const [type = "", ...parameters] = (contentType ?? "").toLowerCase().split(";").map((part) => part.trim());
  const charset = parameters.find((parameter) => parameter.startsWith("charset="))?.slice("charset=".length).replace(/"/g, "");
  if (type !== "application/json" || (charset !== undefined && charset !== "utf-8")) throw PinRefusal.of("UNSUPPORTED_MEDIA_TYPE");
}

/** The request, with the id in lower case; throws `BAD_REQUEST` for anything malformed. */
export function parsePinRequestBody(body: Buffer | undefined): PinBrokerRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body ?? Buffer.alloc(0)));
  } catch {
    throw PinRefusal.of("BAD_REQUEST");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw PinRefusal.of("BAD_REQUEST");
  const { requestId, nonce } = parsed as Record<string, unknown>;
  if (typeof requestId !== "string" || !GUID_PATTERN.test(requestId)) throw PinRefusal.of("BAD_REQUEST");
  if (typeof nonce !== "string" || !PIN_NONCE_PATTERN.test(nonce)) throw PinRefusal.of("BAD_REQUEST");
  return { requestId: requestId.toLowerCase(), nonce };
}

/**
 * The three Rescue API methods the PIN broker calls, each with exactly its documented v1 fields,
 * and their replies read as a value or a reply word (DESIGN.md §7, reference/rescue-api.md §2–3).
 *
 * - `requestAuthCodeSSO(ssoid, pwd, company)`: a new auth code (it replaces the user's previous one);
 * - `requestPINCode`: `authcode`, `cfield0` customer name, `cfield1` customer email (left out
 *   entirely when the admin opted out), `cfield2` Case number, `tracking0` Case id,
 *   `notechconsole`; no `NodeId` (v3 only: with v1 the PIN belongs to the owner of the auth code);
 * - `getAccount(authcode)`: the technician id (`TechID`, "0" without a technician seat).
 */
import { normalizeId } from "../common/guid";
import { truncateText } from "../common/text";
import { callRescue, type RescueMethod, type RescueTransport } from "./client";
import { parseReply, REPLY_VALUES, type RescueFailure } from "./replies";
import { RESCUE_FIELD_LIMITS } from "./text";

/** The value of an `OK` reply, or the failure with its reply word. */
export type RescueReply = string | RescueFailure;

export interface SsoCredentials {
  /** The agent's single sign-on id (their user settings' SSO id, or their primary email). */
  ssoId: string;
  /** The company's single sign-on password. */
  password: string;
  /** The company id, digits only. */
  companyId: string;
}

export interface PinCodeRequest {
  authCode: string;
  /** The Case's customer (contact or account name); "" when none. */
  customerName: string;
  /** The customer's email; null leaves `cfield1` out of the request (the admin opted out). */
  customerEmail: string | null;
  /** The Case number; "" when none. */
  caseNumber: string;
  /** The Case id (any case, with or without braces). */
  caseId: string;
  /** true → `notechconsole=0`: the technician must have the Technician Console running. */
  requireActiveTechConsole: boolean;
}

/** The form fields of a `requestPINCode` call, truncated to Rescue's limits without splitting a character. */
export function pinCodeFields(request: PinCodeRequest): Record<string, string> {
  const fields: Record<string, string> = {
    authcode: request.authCode,
    cfield0: truncateText(request.customerName, RESCUE_FIELD_LIMITS.cfield0),
  };
  if (request.customerEmail !== null) fields.cfield1 = truncateText(request.customerEmail, RESCUE_FIELD_LIMITS.cfield1);
  fields.cfield2 = truncateText(request.caseNumber, RESCUE_FIELD_LIMITS.cfield2);
  fields.tracking0 = truncateText(normalizeId(request.caseId), RESCUE_FIELD_LIMITS.tracking0);
  fields.notechconsole = request.requireActiveTechConsole ? "0" : "1";
  return fields;
}

/** Per call: how long it may take (20 s when not given). */
export interface RescueCallOptions {
  timeoutMs?: number;
}

export class RescueApi {
  constructor(private readonly transport: RescueTransport) {}

  requestAuthCodeSSO(endpoint: string, credentials: SsoCredentials, options: RescueCallOptions = {}): Promise<RescueReply> {
    return this.call(endpoint, "requestAuthCodeSSO", { ssoid: credentials.ssoId, pwd: credentials.password, company: credentials.companyId }, options);
  }

  requestPINCode(endpoint: string, request: PinCodeRequest, options: RescueCallOptions = {}): Promise<RescueReply> {
    return this.call(endpoint, "requestPINCode", pinCodeFields(request), options);
  }

  getAccount(endpoint: string, authCode: string, options: RescueCallOptions = {}): Promise<RescueReply> {
    return this.call(endpoint, "getAccount", { authcode: authCode }, options);
  }

  private async call(endpoint: string, method: RescueMethod, fields: Record<string, string>, options: RescueCallOptions): Promise<RescueReply> {
    return parseReply(await callRescue(endpoint, method, fields, this.transport, options.timeoutMs), REPLY_VALUES[method]);
  }
}

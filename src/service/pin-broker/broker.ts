/**
 * The PIN broker's flow (DESIGN.md §7, service side): from a checked `{requestId, nonce}` to a PIN
 * or a refusal word, with the outcome recorded on the PIN request row.
 *
 * 1. Read the row (creator and Case expanded). Unknown id and wrong nonce get the same answer; the
 *    nonce is compared in constant time. Then: status Requested, `createdon` at most 2 minutes
 *    old, and the claim (Requested → Processing with `If-Match`): of concurrent calls with one
 *    request exactly one gets past this point. The agent is the row's creator.
 * 2. Configuration (cached), the Rescue endpoint on the allow list, the agent's user settings
 *    (created, owned by the agent, when missing; cached).
 * 3. The auth code: the stored one; else a new one from `requestAuthCodeSSO` (one at a time per
 *    agent: a new code invalidates the previous one), stored. When Rescue refuses the code
 *    (`INVALID_SECRETAUTHCODE`, `NOTLOGGEDIN`): the stored row is read again and a code stored
 *    meanwhile is tried, else one new code — one retry either way.
 * 4. `requestPINCode`; `POLLRATEEXCEEDED` (one PIN per second): one retry after 1.1 s.
 * 5. The outcome on the row; an empty technician id filled in from `getAccount`.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { PinRequestStatus } from "../../model/pin-request";
import { PIN_REQUEST_MAX_AGE_MS, type PinBrokerFailure, type PinBrokerRequest, type PinBrokerSuccess } from "../../pin/protocol";
import type { RescueApi, RescueReply } from "../../rescue/api";
import { RescueTransportError, type RescueMethod } from "../../rescue/client";
import { checkRescueEndpoint } from "../../rescue/endpoint";
import type { IntegrationOptions } from "../configuration-options";
import { DataverseError } from "../dataverse-client";
import { errorSummary, type Logger } from "../log";
import type { PinRequestAgent, PinRequestRecord, PinRequestStore } from "./pin-request-store";
import { RedactingLogger } from "./redacting-logger";
import { PinRefusal } from "./refusal";
import { HostNotAllowedError } from "./rescue-transport";
import type { AgentSettings, UserSettingsStore } from "./user-settings-store";

/** Rescue allows one PIN per second: the one retry after POLLRATEEXCEEDED waits a little longer. */
export const POLL_RETRY_DELAY_MS = 1_100;

/** Reply words that mean the auth code no longer logs the technician in. */
const AUTH_CODE_REFUSED = new Set(["INVALID_SECRETAUTHCODE", "NOTLOGGEDIN"]);
/** requestAuthCodeSSO words that mean Rescue does not know the SSO id tried. */
const SSO_ID_UNKNOWN = new Set(["INVALID", "INVALIDSSOID"]);

export type PinBrokerAnswer = { status: 200; body: PinBrokerSuccess } | { status: number; body: PinBrokerFailure };

export interface PinBrokerDeps {
  requests: Pick<PinRequestStore, "read" | "claim" | "recordOutcome">;
  settings: Pick<UserSettingsStore, "forAgent" | "reread" | "store" | "forget">;
  configuration: { get(): Promise<IntegrationOptions>; invalidate(): void };
  rescue: Pick<RescueApi, "requestAuthCodeSSO" | "requestPINCode" | "getAccount">;
  /** Normalized `RESCUE_ALLOWED_HOSTS`. */
  allowedHosts: readonly string[];
  logger: Logger;
  pollRetryDelayMs?: number;
  /** How long an empty technician id is not looked up again after `getAccount` gave none. */
  techIdRetryMs?: number;
}

/** A PIN, and what was used to get it. */
interface Issued {
  success: PinBrokerSuccess;
  agent: PinRequestAgent;
  settings: AgentSettings;
  config: IntegrationOptions;
}

/** What one call has learnt so far, for the refusal and the log. */
interface CallState {
  log: RedactingLogger;
  claimed: boolean;
  settingsId?: string;
  rescueCalls: number;
}

export class PinBroker {
  private readonly renewals = new Map<string, Promise<AgentSettings>>();
  private readonly techIdTried = new Map<string, number>();
  private readonly pollRetryDelayMs: number;
  private readonly techIdRetryMs: number;

  constructor(private readonly deps: PinBrokerDeps) {
    this.pollRetryDelayMs = deps.pollRetryDelayMs ?? POLL_RETRY_DELAY_MS;
    this.techIdRetryMs = deps.techIdRetryMs ?? 60 * 60_000;
  }

  /** Never rejects: every failure becomes a refusal answer (details in the log). */
  async handle(request: PinBrokerRequest): Promise<PinBrokerAnswer> {
    const started = Date.now();
    const log = RedactingLogger.wrap(this.deps.logger);
    log.hide(request.nonce);
    const state: CallState = { log, claimed: false, rescueCalls: 0 };
    let answer: PinBrokerAnswer;
    try {
      const record = await this.claim(request, state);
      const issued = await this.issue(record, state);
      await Promise.all([this.recordOutcome(record.id, { pin: issued.success.pin }, log), this.fillTechId(issued, state)]);
      answer = { status: 200, body: issued.success };
    } catch (error) {
      const refusal = this.toRefusal(error, log).withSettingsId(state.settingsId);
      if (state.claimed) await this.recordOutcome(request.requestId, { word: refusal.body.error }, log);
      answer = { status: refusal.status, body: refusal.body };
    }
    log.info("PIN request answered", {
      requestId: request.requestId,
      status: answer.status,
      result: "error" in answer.body ? answer.body.error : "OK",
      rescueCalls: state.rescueCalls,
      ms: Date.now() - started,
    });
    return answer;
  }

  /** Step 1: the row, its checks and the claim. */
  private async claim(request: PinBrokerRequest, state: CallState): Promise<PinRequestRecord> {
    const record = await this.deps.requests.read(request.requestId);
    if (record === null || !nonceMatches(record.nonce, request.nonce)) throw PinRefusal.of("UNKNOWN_REQUEST");
    if (record.status !== PinRequestStatus.Requested) throw PinRefusal.of("REQUEST_USED");
    if (!(Date.now() - record.createdOn <= PIN_REQUEST_MAX_AGE_MS)) throw PinRefusal.of("REQUEST_EXPIRED");
    if (record.etag === "" || !(await this.deps.requests.claim(record.id, record.etag))) throw PinRefusal.of("REQUEST_USED");
    state.claimed = true;
    return record;
  }

  /** Steps 2–4. */
  private async issue(record: PinRequestRecord, state: CallState): Promise<Issued> {
    const { log } = state;
    const agent = record.agent;
    if (agent === null) {
      log.error("the PIN request's creator cannot be read", { requestId: record.id });
      throw PinRefusal.of("DATAVERSE_FAILED");
    }
    const incident = record.incident;
    if (incident === null) {
      log.warn("the PIN request has no Case the service can read", { requestId: record.id });
      throw PinRefusal.of("CASE_NOT_FOUND");
    }
    const config = await this.deps.configuration.get();
    log.hide(config.ssoPassword);
    if (!config.configured) throw PinRefusal.of("NOT_CONFIGURED");
    const verdict = checkRescueEndpoint(config.endpoint, this.deps.allowedHosts);
    if (verdict === "missing") throw PinRefusal.of("CONFIG_INCOMPLETE", { field: "endpoint" });
    if (verdict !== "allowed") {
      log.error("the configured Rescue endpoint is not allowed: nothing is sent to it", { endpointHost: hostOf(config.endpoint), allowedHosts: this.deps.allowedHosts.join(",") });
      throw PinRefusal.of("ENDPOINT_NOT_ALLOWED");
    }

    const found = await this.deps.settings.forAgent(agent);
    let settings = found.settings;
    state.settingsId = settings.id;
    log.hide(settings.authCode);
    if (found.created) log.info("user settings created for the agent", { userId: agent.id, settingsId: settings.id });

    let renewed = false;
    if (settings.authCode === "") {
      settings = await this.renewAuthCode(config, agent, settings, state);
      renewed = true;
    }
    let authRetried = false;
    let pollRetried = false;
    for (;;) {
      const reply = await this.rescue(state, "requestPINCode", () =>
        this.deps.rescue.requestPINCode(config.endpoint, {
          authCode: settings.authCode,
          customerName: incident.customer?.name ?? "",
          customerEmail: config.doNotPassCField1 ? null : incident.email,
          caseNumber: incident.number,
          caseId: incident.id,
          requireActiveTechConsole: config.requireActiveTechConsole,
        }),
      );
      if (typeof reply === "string") {
        const customer = incident.customer === null ? null : { entityType: incident.customer.entityType, id: incident.customer.id };
        return { success: { pin: reply, caseNumber: incident.number, customer }, agent, settings, config };
      }
      if (AUTH_CODE_REFUSED.has(reply.word) && !authRetried) {
        authRetried = true;
        log.info("Rescue refused the auth code: one retry", { word: reply.word, userId: agent.id });
        const stored = (await this.deps.settings.reread(agent.id)) ?? (await this.deps.settings.forAgent(agent)).settings;
        state.settingsId = stored.id;
        log.hide(stored.authCode);
        if (stored.authCode !== "" && stored.authCode !== settings.authCode) settings = stored;
        else if (!renewed) {
          settings = await this.renewAuthCode(config, agent, stored, state);
          renewed = true;
        } else throw PinRefusal.rescueWord(reply.word, "requestPINCode");
        continue;
      }
      if (reply.word === "POLLRATEEXCEEDED" && !pollRetried) {
        pollRetried = true;
        await new Promise((resolve) => setTimeout(resolve, this.pollRetryDelayMs));
        continue;
      }
      throw PinRefusal.rescueWord(reply.word, "requestPINCode");
    }
  }

  /** A new auth code for the agent, stored; concurrent calls for one agent share one request. */
  private renewAuthCode(config: IntegrationOptions, agent: PinRequestAgent, settings: AgentSettings, state: CallState): Promise<AgentSettings> {
    const running = this.renewals.get(agent.id);
    if (running !== undefined) {
      return running.then((renewed) => {
        state.log.hide(renewed.authCode);
        return renewed;
      });
    }
    const renewal = this.requestAuthCode(config, agent, settings, state).finally(() => this.renewals.delete(agent.id));
    this.renewals.set(agent.id, renewal);
    return renewal;
  }

  private async requestAuthCode(config: IntegrationOptions, agent: PinRequestAgent, settings: AgentSettings, state: CallState): Promise<AgentSettings> {
    const { log } = state;
    if (config.companyId === "") throw PinRefusal.of("CONFIG_INCOMPLETE", { field: "companyId" });
    if (config.ssoPassword === "") {
      log.warn("no SSO password readable: is one saved, and is the application user in the \"LogMeIn Rescue Integration\" field security profile?");
      throw PinRefusal.of("CONFIG_INCOMPLETE", { field: "ssoPassword" });
    }
    const ssoId = settings.ssoId || agent.email;
    if (ssoId === "") throw PinRefusal.of("SSO_ID_MISSING", { settingsId: settings.id });
    const reply = await this.rescue(state, "requestAuthCodeSSO", () =>
      this.deps.rescue.requestAuthCodeSSO(config.endpoint, { ssoId, password: config.ssoPassword, companyId: config.companyId }),
    );
    if (typeof reply !== "string") {
      // The admin may be fixing the company's SSO settings or the agent's SSO id: read both again next time.
      this.deps.configuration.invalidate();
      this.deps.settings.forget(agent.id);
      const emailTried = settings.ssoId === "" && SSO_ID_UNKNOWN.has(reply.word);
      throw PinRefusal.rescueWord(reply.word, "requestAuthCodeSSO", emailTried ? { emailAsSsoId: ssoId } : {});
    }
    log.hide(reply);
    log.info("new Rescue auth code obtained", { userId: agent.id, settingsId: settings.id, ssoIdFrom: settings.ssoId === "" ? "email" : "settings" });
    try {
      return await this.deps.settings.store(agent.id, settings, { authCode: reply });
    } catch (error) {
      log.warn("could not store the new auth code (it is used for this PIN)", { settingsId: settings.id, error: errorSummary(error) });
      return { ...settings, authCode: reply };
    }
  }

  /** Step 5, best effort: an empty technician id from getAccount, at most once an hour per agent. */
  private async fillTechId({ agent, settings, config }: Issued, state: CallState): Promise<void> {
    if (settings.techId !== "") return;
    const tried = this.techIdTried.get(agent.id);
    if (tried !== undefined && Date.now() < tried) return;
    this.techIdTried.delete(agent.id);
    this.techIdTried.set(agent.id, Date.now() + this.techIdRetryMs);
    if (this.techIdTried.size > 5_000) this.techIdTried.delete(this.techIdTried.keys().next().value ?? "");
    try {
      const reply = await this.rescue(state, "getAccount", () => this.deps.rescue.getAccount(config.endpoint, settings.authCode));
      if (typeof reply !== "string" || /^0+$/.test(reply)) {
        state.log.info("no technician id from getAccount", { userId: agent.id, word: typeof reply === "string" ? "TechID 0" : reply.word });
        return;
      }
      await this.deps.settings.store(agent.id, settings, { techId: reply });
      state.log.info("technician id filled in from getAccount", { userId: agent.id, settingsId: settings.id });
    } catch (error) {
      state.log.warn("could not fill in the technician id", { userId: agent.id, error: errorSummary(error) });
    }
  }

  private async rescue(state: CallState, method: RescueMethod, call: () => Promise<RescueReply>): Promise<RescueReply> {
    state.rescueCalls += 1;
    const started = Date.now();
    try {
      const reply = await call();
      state.log.info("Rescue answered", { method, result: typeof reply === "string" ? "OK" : reply.word || "(no word)", ms: Date.now() - started });
      return reply;
    } catch (error) {
      state.log.warn("Rescue call failed", { method, error: errorSummary(error), ms: Date.now() - started });
      throw error;
    }
  }

  private async recordOutcome(requestId: string, outcome: { pin: string } | { word: string }, log: Logger): Promise<void> {
    try {
      await this.deps.requests.recordOutcome(requestId, outcome);
    } catch (error) {
      log.error("could not record the outcome on the PIN request", { requestId, error: errorSummary(error) });
    }
  }

  private toRefusal(error: unknown, log: Logger): PinRefusal {
    if (error instanceof PinRefusal) return error;
    if (error instanceof RescueTransportError) {
      if (error.kind === "timeout") return PinRefusal.of("RESCUE_TIMEOUT");
      if (error.kind === "http") return PinRefusal.of("RESCUE_HTTP", { status: error.value });
      return error.cause instanceof HostNotAllowedError ? PinRefusal.of("ENDPOINT_NOT_ALLOWED") : PinRefusal.of("RESCUE_UNREACHABLE");
    }
    if (error instanceof DataverseError) {
      log.error("Dataverse call of the PIN broker failed", { error: errorSummary(error), status: error.details.status, code: error.details.code });
      return PinRefusal.of("DATAVERSE_FAILED");
    }
    log.error("PIN broker failed unexpectedly", { error: errorSummary(error) });
    return PinRefusal.of("INTERNAL");
  }
}

/** Constant-time comparison (of SHA-256 digests, so lengths do not leak either); an empty stored nonce never matches. */
function nonceMatches(stored: string, given: string): boolean {
  const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest();
  return timingSafeEqual(digest(stored), digest(given)) && stored !== "";
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return "(not a URL)";
  }
}

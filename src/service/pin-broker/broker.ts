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
 * 4. `requestPINCode`; `POLLRATEEXCEEDED` (one PIN per second): one retry after 1.1 s when it
 *    still fits the deadline.
 * 5. The outcome on the row; an empty technician id filled in from `getAccount`.
 *
 * Every call is answered within `PIN_BROKER_DEADLINE_MS` of its arrival, whatever Rescue does:
 * each Rescue call gets what is left of it (at most 20 s), and once it is spent the answer is
 * `RESCUE_TIMEOUT`, recorded on the row. Which Rescue answers are retried, and the timings, are
 * the retry policy's (retry-policy.ts). The secrets a call learns — the nonce, the company SSO
 * password, the agent's auth codes — are hidden from every log line until it is answered.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { PinRequestStatus } from "../../model/pin-request";
import { PIN_REQUEST_MAX_AGE_MS, type PinBrokerFailure, type PinBrokerRequest, type PinBrokerSuccess } from "../../pin/protocol";
import type { RescueApi, RescueReply } from "../../rescue/api";
import { RescueTransportError, type RescueMethod } from "../../rescue/client";
import { checkRescueEndpoint } from "../../rescue/endpoint";
import type { IntegrationOptions } from "../configuration-options";
import { DataverseError } from "../dataverse-client";
import { errorSummary, type LogSecrets, type Logger, type SecretScope } from "../log";
import { PIN_BROKER_TIMINGS, PinDeadline, rescueRetryFor, TECH_ID_RETRY_MS, withinPinDeadline, type PinBrokerTimings, type RescueRetriesUsed } from "../retry-policy";
import type { PinRequestAgent, PinRequestRecord, PinRequestStore } from "./pin-request-store";
import { PinRefusal } from "./refusal";
import { HostNotAllowedError } from "./rescue-transport";
import type { AgentSettings, UserSettingsStore } from "./user-settings-store";

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
  /** The log's secrets: each call hides what it learns until it is answered. */
  secrets: Pick<LogSecrets, "scope">;
  /** The deadline and Rescue timings (the retry policy's `PIN_BROKER_TIMINGS`). */
  timings?: PinBrokerTimings;
  /** How long an empty technician id is not looked up again after `getAccount` gave none (the policy's `TECH_ID_RETRY_MS`). */
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
  log: Logger;
  secrets: SecretScope;
  deadline: PinDeadline;
  claimed: boolean;
  settingsId?: string;
  rescueCalls: number;
}

export class PinBroker {
  private readonly renewals = new Map<string, Promise<AgentSettings>>();
  private readonly techIdTried = new Map<string, number>();
  private readonly timings: PinBrokerTimings;
  private readonly techIdRetryMs: number;

  constructor(private readonly deps: PinBrokerDeps) {
    this.timings = deps.timings ?? PIN_BROKER_TIMINGS;
    this.techIdRetryMs = deps.techIdRetryMs ?? TECH_ID_RETRY_MS;
  }

  /**
   * Never rejects: every failure becomes a refusal answer (details in `log`, the request's
   * logger). `arrivedAt`: when the request arrived, where the deadline starts.
   */
  async handle(request: PinBrokerRequest, log: Logger, arrivedAt: number = Date.now()): Promise<PinBrokerAnswer> {
    const secrets = this.deps.secrets.scope();
    secrets.hide(request.nonce);
    try {
      const deadline = new PinDeadline(this.timings, arrivedAt);
      return await withinPinDeadline(deadline, () => this.answer(request, { log, secrets, deadline, claimed: false, rescueCalls: 0 }, arrivedAt));
    } finally {
      secrets.release();
    }
  }

  private async answer(request: PinBrokerRequest, state: CallState, arrivedAt: number): Promise<PinBrokerAnswer> {
    const { log } = state;
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
    const result = "error" in answer.body ? answer.body.error : "OK";
    log.info({ pinRequestId: request.requestId, status: answer.status, result, rescueCalls: state.rescueCalls, ms: Date.now() - arrivedAt }, "PIN request answered");
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
      log.error({ pinRequestId: record.id }, "the PIN request's creator cannot be read");
      throw PinRefusal.of("DATAVERSE_FAILED");
    }
    const incident = record.incident;
    if (incident === null) {
      log.warn({ pinRequestId: record.id }, "the PIN request has no Case the service can read");
      throw PinRefusal.of("CASE_NOT_FOUND");
    }
    const config = await this.deps.configuration.get();
    state.secrets.hide(config.ssoPassword);
    if (!config.configured) throw PinRefusal.of("NOT_CONFIGURED");
    const verdict = checkRescueEndpoint(config.endpoint, this.deps.allowedHosts);
    if (verdict === "missing") throw PinRefusal.of("CONFIG_INCOMPLETE", { field: "endpoint" });
    if (verdict !== "allowed") {
      log.error({ endpointHost: hostOf(config.endpoint), allowedHosts: this.deps.allowedHosts.join(",") }, "the configured Rescue endpoint is not allowed: nothing is sent to it");
      throw PinRefusal.of("ENDPOINT_NOT_ALLOWED");
    }

    const found = await this.deps.settings.forAgent(agent);
    let settings = found.settings;
    state.settingsId = settings.id;
    state.secrets.hide(settings.authCode);
    if (found.created) log.info({ userId: agent.id, settingsId: settings.id }, "user settings created for the agent");

    let renewed = false;
    if (settings.authCode === "") {
      settings = await this.renewAuthCode(config, agent, settings, state);
      renewed = true;
    }
    const used: RescueRetriesUsed = { authCode: false, pollRate: false };
    for (;;) {
      const reply = await this.rescue(state, "requestPINCode", (timeoutMs) =>
        this.deps.rescue.requestPINCode(
          config.endpoint,
          {
            authCode: settings.authCode,
            customerName: incident.customer?.name ?? "",
            customerEmail: config.doNotPassCField1 ? null : incident.email,
            caseNumber: incident.number,
            caseId: incident.id,
            requireActiveTechConsole: config.requireActiveTechConsole,
          },
          { timeoutMs },
        ),
      );
      if (typeof reply === "string") {
        const customer = incident.customer === null ? null : { entityType: incident.customer.entityType, id: incident.customer.id };
        return { success: { pin: reply, caseNumber: incident.number, customer }, agent, settings, config };
      }
      const retry = rescueRetryFor(reply.word, used, state.deadline);
      if (retry === "new auth code") {
        used.authCode = true;
        log.info({ word: reply.word, userId: agent.id }, "Rescue refused the auth code: one retry");
        const stored = (await this.deps.settings.reread(agent.id)) ?? (await this.deps.settings.forAgent(agent)).settings;
        state.settingsId = stored.id;
        state.secrets.hide(stored.authCode);
        if (stored.authCode !== "" && stored.authCode !== settings.authCode) settings = stored;
        else if (!renewed) {
          settings = await this.renewAuthCode(config, agent, stored, state);
          renewed = true;
        } else throw PinRefusal.rescueWord(reply.word, "requestPINCode");
        continue;
      }
      if (retry === "wait and retry") {
        used.pollRate = true;
        await new Promise((resolve) => setTimeout(resolve, this.timings.pollRetryDelayMs));
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
        state.secrets.hide(renewed.authCode);
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
    const reply = await this.rescue(state, "requestAuthCodeSSO", (timeoutMs) =>
      this.deps.rescue.requestAuthCodeSSO(config.endpoint, { ssoId, password: config.ssoPassword, companyId: config.companyId }, { timeoutMs }),
    );
    if (typeof reply !== "string") {
      // The admin may be fixing the company's SSO settings or the agent's SSO id: read both again next time.
      this.deps.configuration.invalidate();
      this.deps.settings.forget(agent.id);
      const emailTried = settings.ssoId === "" && SSO_ID_UNKNOWN.has(reply.word);
      throw PinRefusal.rescueWord(reply.word, "requestAuthCodeSSO", emailTried ? { emailAsSsoId: ssoId } : {});
    }
    state.secrets.hide(reply);
    log.info({ userId: agent.id, settingsId: settings.id, ssoIdFrom: settings.ssoId === "" ? "email" : "settings" }, "new Rescue auth code obtained");
    try {
      return await this.deps.settings.store(agent.id, settings, { authCode: reply });
    } catch (error) {
      log.warn({ settingsId: settings.id, error: errorSummary(error) }, "could not store the new auth code (it is used for this PIN)");
      return { ...settings, authCode: reply };
    }
  }

  /** Step 5, best effort: an empty technician id from getAccount, at most once an hour per agent. */
  private async fillTechId({ agent, settings, config }: Issued, state: CallState): Promise<void> {
    if (settings.techId !== "") return;
    const tried = this.techIdTried.get(agent.id);
    if ((tried !== undefined && Date.now() < tried) || state.deadline.rescueCallTimeoutMs() <= 0) return;
    this.techIdTried.delete(agent.id);
    this.techIdTried.set(agent.id, Date.now() + this.techIdRetryMs);
    if (this.techIdTried.size > 5_000) this.techIdTried.delete(this.techIdTried.keys().next().value ?? "");
    try {
      const reply = await this.rescue(state, "getAccount", (timeoutMs) => this.deps.rescue.getAccount(config.endpoint, settings.authCode, { timeoutMs }));
      if (typeof reply !== "string" || /^0+$/.test(reply)) {
        state.log.info({ userId: agent.id, word: typeof reply === "string" ? "TechID 0" : reply.word }, "no technician id from getAccount");
        return;
      }
      await this.deps.settings.store(agent.id, settings, { techId: reply });
      state.log.info({ userId: agent.id, settingsId: settings.id }, "technician id filled in from getAccount");
    } catch (error) {
      state.log.warn({ userId: agent.id, error: errorSummary(error) }, "could not fill in the technician id");
    }
  }

  /** One Rescue call, given what is left of the deadline (none when it is spent: `RESCUE_TIMEOUT`). */
  private async rescue(state: CallState, method: RescueMethod, call: (timeoutMs: number) => Promise<RescueReply>): Promise<RescueReply> {
    const timeoutMs = state.deadline.rescueCallTimeoutMs();
    if (timeoutMs <= 0) {
      state.log.warn({ method }, "no time left for the Rescue call: answered RESCUE_TIMEOUT");
      throw new RescueTransportError("timeout", method, 0);
    }
    state.rescueCalls += 1;
    const started = Date.now();
    try {
      const reply = await call(timeoutMs);
      state.log.info({ method, result: typeof reply === "string" ? "OK" : reply.word || "(no word)", ms: Date.now() - started }, "Rescue answered");
      return reply;
    } catch (error) {
      state.log.warn({ method, error: errorSummary(error), timeoutMs, ms: Date.now() - started }, "Rescue call failed");
      throw error;
    }
  }

  private async recordOutcome(requestId: string, outcome: { pin: string } | { word: string }, log: Logger): Promise<void> {
    try {
      await this.deps.requests.recordOutcome(requestId, outcome);
    } catch (error) {
      log.error({ pinRequestId: requestId, error: errorSummary(error) }, "could not record the outcome on the PIN request");
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
      log.error({ error: errorSummary(error), status: error.details.status, code: error.details.code }, "Dataverse call of the PIN broker failed");
      return PinRefusal.of("DATAVERSE_FAILED");
    }
    log.error({ error: errorSummary(error) }, "PIN broker failed unexpectedly");
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

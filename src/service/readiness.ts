/**
 * `GET /readyz`: spool writable, Dataverse reachable with the service's credentials, the
 * Session Key alternate-key index Active, the configured Rescue endpoint's host in
 * `RESCUE_ALLOWED_HOSTS` (a check of the configuration row: readiness never calls Rescue), and
 * how many posts are waiting, dead-lettered, or waiting for a dead letter that cannot be written.
 *
 * The endpoint is unauthenticated, so the probes (a file written and fsynced in the spool, a
 * Dataverse metadata read) are cached for a few seconds and shared by concurrent callers: a
 * flood of probes costs one fsync and one Dataverse call per period, not one per request. For
 * the same reason a failed check says only what kind of failure it was (an HTTP status or an
 * error code), never a message, path or Dataverse's error text: those are in the service log.
 */
import { entityKeyState, keysPath, type EntityKeyState } from "../dataverse/entity-keys";
import * as Session from "../model/session";
import { checkRescueEndpoint } from "../rescue/endpoint";
import type { IntegrationOptions } from "./configuration-options";
import { DataverseError, type DataverseTransport } from "./dataverse-client";
import type { Spool } from "./spool";

export interface ReadinessReport {
  ready: boolean;
  checks: ReadinessChecks;
  pendingDeliveries: number;
  deadLetters: number;
  /** Posts that need a dead letter which could not be written yet (the spool is not writable). */
  undeliverable: number;
}

export interface ReadinessChecks {
  spool: string;
  dataverse: string;
  /** `Active`, `Pending`, `InProgress`, `Failed` (read as the configuration page reads them), `missing`, an unknown value as is, or `unknown` when Dataverse could not be asked. */
  sessionKeyIndex: string;
  /** `allowed`, `not configured` (no active configuration row), `missing`, `not allowed`, or `unknown (…)`. */
  rescueEndpoint: string;
}

/** What the Rescue endpoint check reads: the active configuration and the allow list. */
export interface RescueEndpointSource {
  configuration: { get(): Promise<IntegrationOptions> };
  /** Normalized `RESCUE_ALLOWED_HOSTS`. */
  allowedHosts: readonly string[];
}

export class ReadinessCheck {
  private cached: { at: number; checks: ReadinessChecks } | null = null;
  private probing: Promise<ReadinessChecks> | null = null;

  constructor(
    private readonly spool: Pick<Spool, "checkWritable" | "deadLetterCount">,
    private readonly dataverse: Pick<DataverseTransport, "send">,
    private readonly deliveries: () => { pending: number; undeliverable: number },
    private readonly rescueEndpoint: RescueEndpointSource,
    private readonly cacheMs = 10_000,
  ) {}

  async report(): Promise<ReadinessReport> {
    const checks = await this.checks();
    return {
      ready: checks.spool === "writable" && checks.dataverse === "reachable" && checks.sessionKeyIndex === "Active" && checks.rescueEndpoint === "allowed",
      checks,
      pendingDeliveries: this.deliveries().pending,
      deadLetters: this.spool.deadLetterCount(),
      undeliverable: this.deliveries().undeliverable,
    };
  }

  private checks(): Promise<ReadinessChecks> {
    const cached = this.cached;
    if (cached !== null && Date.now() - cached.at < this.cacheMs) return Promise.resolve(cached.checks);
    this.probing ??= this.probe().finally(() => {
      this.probing = null;
    });
    return this.probing;
  }

  private async probe(): Promise<ReadinessChecks> {
    const [spool, dv, rescueEndpoint] = await Promise.all([this.spoolStatus(), this.dataverseStatus(), this.rescueEndpointStatus()]);
    const checks = { spool, ...dv, rescueEndpoint };
    this.cached = { at: Date.now(), checks };
    return checks;
  }

  private async spoolStatus(): Promise<string> {
    try {
      await this.spool.checkWritable();
      return "writable";
    } catch (error) {
      return `not writable (${failureKind(error)})`;
    }
  }

  private async dataverseStatus(): Promise<{ dataverse: string; sessionKeyIndex: string }> {
    try {
      const response = await this.dataverse.send({ method: "GET", path: keysPath(Session.entity) });
      return { dataverse: "reachable", sessionKeyIndex: keyIndexReport(entityKeyState(response.json, Session.sessionKey)) };
    } catch (error) {
      return { dataverse: `unreachable (${failureKind(error)})`, sessionKeyIndex: "unknown" };
    }
  }

  private async rescueEndpointStatus(): Promise<string> {
    try {
      const configuration = await this.rescueEndpoint.configuration.get();
      if (!configuration.configured) return "not configured";
      const verdict = checkRescueEndpoint(configuration.endpoint, this.rescueEndpoint.allowedHosts);
      return verdict === "allowed" ? "allowed" : verdict === "missing" ? "missing" : "not allowed";
    } catch (error) {
      return `unknown (${failureKind(error)})`;
    }
  }
}

function keyIndexReport(state: EntityKeyState): string {
  switch (state.kind) {
    case "status":
      return state.status;
    case "missing":
      return "missing";
    case "unknown":
      return state.raw;
  }
}

/** What kind of failure, without its message: `HTTP 401`, `ECONNREFUSED`, `EROFS`, or the error's name. */
function failureKind(error: unknown): string {
  if (error instanceof DataverseError && error.details.status !== undefined) return `HTTP ${error.details.status}`;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
  return error instanceof Error ? error.name : "unknown error";
}

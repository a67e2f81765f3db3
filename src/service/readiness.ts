/**
 * `GET /readyz`: spool writable, Dataverse reachable with the service's credentials, the
 * Session Key alternate-key index Active, and how many posts are waiting or dead-lettered.
 * The Dataverse part is cached for a few seconds so frequent probes do not load Dataverse.
 */
import { Session } from "../model/schema";
import { DataverseError, odataString, type DataverseClient } from "./dataverse-client";
import { errorSummary } from "./log";
import type { Spool } from "./spool";

export interface ReadinessReport {
  ready: boolean;
  checks: {
    spool: string;
    dataverse: string;
    sessionKeyIndex: string;
  };
  pendingDeliveries: number;
  deadLetters: number;
}

export class ReadinessCheck {
  private cachedDataverse: { at: number; dataverse: string; sessionKeyIndex: string } | null = null;

  constructor(
    private readonly spool: Spool,
    private readonly dataverse: DataverseClient,
    private readonly pendingCount: () => number,
    private readonly cacheMs = 10_000,
  ) {}

  async report(): Promise<ReadinessReport> {
    let spool = "writable";
    try {
      await this.spool.checkWritable();
    } catch (error) {
      spool = `not writable: ${errorSummary(error)}`;
    }
    const dv = await this.dataverseStatus();
    return {
      ready: spool === "writable" && dv.dataverse === "reachable" && dv.sessionKeyIndex === "Active",
      checks: { spool, dataverse: dv.dataverse, sessionKeyIndex: dv.sessionKeyIndex },
      pendingDeliveries: this.pendingCount(),
      deadLetters: this.spool.deadLetterCount(),
    };
  }

  private async dataverseStatus(): Promise<{ dataverse: string; sessionKeyIndex: string }> {
    const cached = this.cachedDataverse;
    if (cached !== null && Date.now() - cached.at < this.cacheMs) return cached;
    let dataverse = "reachable";
    let sessionKeyIndex = "unknown";
    try {
      const response = await this.dataverse.send({
        method: "GET",
        path: `EntityDefinitions(LogicalName=${odataString(Session.entity)})/Keys?$select=LogicalName,EntityKeyIndexStatus`,
      });
      const keys = (response.json as { value?: unknown } | null)?.value;
      const key = Array.isArray(keys)
        ? (keys as Record<string, unknown>[]).find((k) => k.LogicalName === Session.sessionKey)
        : undefined;
      sessionKeyIndex = key === undefined ? "missing" : String(key.EntityKeyIndexStatus);
    } catch (error) {
      dataverse = error instanceof DataverseError ? `unreachable: ${error.message}` : `unreachable: ${errorSummary(error)}`;
    }
    const result = { at: Date.now(), dataverse, sessionKeyIndex };
    this.cachedDataverse = result;
    return result;
  }
}

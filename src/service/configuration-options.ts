/**
 * The two service options of the active `lmi_configuration` row, cached briefly so a change by
 * the admin takes effect within `ttlMs` without a read per post.
 */
import { Configuration } from "../model/schema";
import type { DataverseClient } from "./dataverse-client";
import type { Logger } from "./log";

export interface IntegrationOptions {
  readonly closeTicketOnSessionEnd: boolean;
  readonly reassignCaseOnSessionStart: boolean;
}

const NONE: IntegrationOptions = { closeTicketOnSessionEnd: false, reassignCaseOnSessionStart: false };
const F = Configuration.fields;

export class ConfigurationOptions {
  private cached: { options: IntegrationOptions; until: number } | null = null;
  private inFlight: Promise<IntegrationOptions> | null = null;

  constructor(
    private readonly dataverse: DataverseClient,
    private readonly logger: Logger,
    private readonly ttlMs = 60_000,
  ) {}

  get(): Promise<IntegrationOptions> {
    if (this.cached !== null && Date.now() < this.cached.until) return Promise.resolve(this.cached.options);
    if (this.inFlight !== null) return this.inFlight;
    const read = this.read().finally(() => {
      this.inFlight = null;
    });
    this.inFlight = read;
    return read;
  }

  private async read(): Promise<IntegrationOptions> {
    const select = [F.closeTicketOnSessionEnd, F.reassignCaseOnSessionStart].join(",");
    const filter = encodeURIComponent(`${F.stateCode} eq 0`);
    const response = await this.dataverse.send({
      method: "GET",
      path: `${Configuration.entitySet}?$select=${select}&$filter=${filter}&$orderby=${F.modifiedOn}%20desc&$top=1`,
    });
    const rows = (response.json as { value?: unknown } | null)?.value;
    const row = Array.isArray(rows) ? (rows[0] as Record<string, unknown> | undefined) : undefined;
    let options = NONE;
    if (row === undefined) {
      this.logger.warn("no active LogMeIn configuration row: reassign and close options are off");
    } else {
      options = {
        closeTicketOnSessionEnd: row[F.closeTicketOnSessionEnd] === true,
        reassignCaseOnSessionStart: row[F.reassignCaseOnSessionStart] === true,
      };
    }
    this.cached = { options, until: Date.now() + this.ttlMs };
    return options;
  }
}

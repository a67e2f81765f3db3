/**
 * The newest active `lmi_configuration` row, as the service uses it: the session writer's two
 * options and what the PIN broker needs to call Rescue. Which row counts and how its values are
 * read is src/settings/configuration-row.ts, shared with the configuration page and the PIN
 * request, so the service and the browser always mean the same row. Cached briefly (60 s by default) so a
 * change by the admin takes effect within `ttlMs` without a read per post or per PIN;
 * `invalidate()` makes the next `get()` read again (after Rescue refused the company's SSO
 * settings, for example). Concurrent callers of a cold cache share one read.
 *
 * The SSO password is a secured column: Dataverse answers null for it unless the application
 * user is in the "LogMeIn Rescue Integration" field security profile.
 */
import { collectionRows } from "../dataverse/odata";
import * as Configuration from "../model/configuration";
import * as ConfigurationFields from "../model/configuration-fields";
import { activeConfigurationQuery, toConfigurationRow } from "../settings/configuration-row";
import type { DataverseTransport } from "./dataverse-client";
import type { Logger } from "./log";

export interface IntegrationOptions {
  /** false when there is no active configuration row (everything below is then empty or off). */
  readonly configured: boolean;
  readonly closeTicketOnSessionEnd: boolean;
  readonly reassignCaseOnSessionStart: boolean;
  /** `lmi_endpoint`: the Rescue API base the PIN broker calls ("" when empty). */
  readonly endpoint: string;
  /** `lmi_companyid` ("" when empty). */
  readonly companyId: string;
  /** `lmi_ssopassword` ("" when empty or not readable by the service). */
  readonly ssoPassword: string;
  readonly requireActiveTechConsole: boolean;
  readonly doNotPassCField1: boolean;
}

const NONE: IntegrationOptions = {
  configured: false,
  closeTicketOnSessionEnd: false,
  reassignCaseOnSessionStart: false,
  endpoint: "",
  companyId: "",
  ssoPassword: "",
  requireActiveTechConsole: false,
  doNotPassCField1: false,
};
const F = ConfigurationFields;
const COLUMNS = [F.closeTicketOnSessionEnd, F.reassignCaseOnSessionStart, F.endpoint, F.companyId, F.ssoPassword, F.requireActiveTechConsole, F.doNotPassCField1];

export class ConfigurationOptions {
  private cached: { options: IntegrationOptions; until: number } | null = null;
  private inFlight: Promise<IntegrationOptions> | null = null;
  private generation = 0;

  constructor(
    private readonly dataverse: Pick<DataverseTransport, "send">,
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

  /** Forgets the cached row: the next `get()` reads it again. */
  invalidate(): void {
    this.cached = null;
    this.inFlight = null;
    this.generation += 1;
  }

  private async read(): Promise<IntegrationOptions> {
    const generation = this.generation;
    const response = await this.dataverse.send({ method: "GET", path: `${Configuration.entitySet}${activeConfigurationQuery(COLUMNS, 1)}` });
    const [found] = collectionRows(response.json);
    let options = NONE;
    if (found === undefined) {
      this.logger.warn("no active LogMeIn configuration row: reassign and close options are off and no PIN can be issued");
    } else {
      const row = toConfigurationRow(found);
      options = {
        configured: true,
        closeTicketOnSessionEnd: row.closeTicketOnSessionEnd,
        reassignCaseOnSessionStart: row.reassignCaseOnSessionStart,
        endpoint: row.endpoint,
        companyId: row.companyId,
        ssoPassword: row.ssoPassword ?? "",
        requireActiveTechConsole: row.requireActiveTechConsole,
        doNotPassCField1: row.doNotPassCField1,
      };
    }
    // A read that started before invalidate() may carry what the invalidation was about.
    if (generation === this.generation) this.cached = { options, until: Date.now() + this.ttlMs };
    return options;
  }
}

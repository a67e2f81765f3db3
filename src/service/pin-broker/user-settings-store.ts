/**
 * The agents' `lmi_usersettings` rows (one per user, alternate key `lmi_userkey` on `lmi_userid`)
 * as the PIN broker uses them, cached per agent so that a steady-state PIN costs no settings read.
 *
 * - `forAgent`: the cached row, else one GET by the alternate key, else a new row created for the
 *   agent and owned by them (an upsert with `If-None-Match: *`, so a row created meanwhile — by the
 *   agent, an admin or a concurrent call — is read rather than duplicated);
 * - `reread`: the stored row, bypassing the cache (after Rescue refused the cached auth code: an
 *   admin may have entered a new one, or changed the SSO id);
 * - `store`: writes a new auth code and/or technician id and keeps the cache in step.
 *
 * Cache entries live `ttlMs` (10 minutes by default); at most `maxEntries` agents are kept, the
 * least recently used going first.
 */
import { alternateKeyPath, bindProperty, bindTarget, entityPath, idFromEntityIdHeader, lookupValueProperty, odataQuery, textOf } from "../../dataverse/odata";
import { SystemUser } from "../../model/standard-tables";
import * as UserSettings from "../../model/user-settings";
import * as UserSettingsFields from "../../model/user-settings-fields";
import { truncateText } from "../../common/text";
import type { DataverseCall, DataverseResponse, DataverseTransport } from "../dataverse-client";

const F = UserSettingsFields;
const SETTINGS_QUERY = odataQuery({ select: [F.techId, F.ssoId, F.authCode] });

export interface AgentSettings {
  /** `lmi_usersettingsid`, lower case. */
  id: string;
  techId: string;
  ssoId: string;
  /** "" when none is stored. */
  authCode: string;
}

export interface SettingsStoreOptions {
  ttlMs?: number;
  maxEntries?: number;
}

export class UserSettingsStore {
  private readonly cache = new Map<string, { settings: AgentSettings; until: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly dataverse: Pick<DataverseTransport, "send">,
    options: SettingsStoreOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 10 * 60_000;
    this.maxEntries = options.maxEntries ?? 5_000;
  }

  /** The agent's settings; `created` when the row did not exist and was made now. */
  async forAgent(agent: { id: string; name: string }): Promise<{ settings: AgentSettings; created: boolean }> {
    const cached = this.cache.get(agent.id);
    if (cached !== undefined && Date.now() < cached.until) {
      // Map order is the eviction order: move the entry to the end.
      this.cache.delete(agent.id);
      this.cache.set(agent.id, cached);
      return { settings: cached.settings, created: false };
    }
    const stored = await this.reread(agent.id);
    if (stored !== null) return { settings: stored, created: false };
    const created = await this.create(agent);
    return created === null ? { settings: await this.mustRead(agent.id), created: false } : { settings: created, created: true };
  }

  /** The stored row (null when none), read now; the cache is refreshed with it. */
  async reread(agentId: string): Promise<AgentSettings | null> {
    const response = await this.send({ method: "GET", path: `${keyPath(agentId)}${SETTINGS_QUERY}`, expect: [404] });
    if (response.status === 404) {
      this.cache.delete(agentId);
      return null;
    }
    const settings = toSettings(response.json);
    if (settings === null) throw new Error(`${UserSettings.entity} of user ${agentId}: the answer carries no row id`);
    this.remember(agentId, settings);
    return settings;
  }

  /** Writes the changes to the row and to the cache. */
  async store(agentId: string, settings: AgentSettings, changes: { authCode?: string; techId?: string }): Promise<AgentSettings> {
    const body: Record<string, string> = {};
    if (changes.authCode !== undefined) body[F.authCode] = changes.authCode;
    if (changes.techId !== undefined) body[F.techId] = truncateText(changes.techId, UserSettings.maxLength.techId);
    const updated: AgentSettings = { ...settings, ...changes };
    // The new values are used for this PIN whether or not they could be stored.
    this.remember(agentId, updated);
    await this.send({ method: "PATCH", path: entityPath(UserSettings.entitySet, settings.id), headers: { "if-match": "*" }, body });
    return updated;
  }

  forget(agentId: string): void {
    this.cache.delete(agentId);
  }

  /** Creates the agent's row owned by them; null when a row with the key exists already. */
  private async create(agent: { id: string; name: string }): Promise<AgentSettings | null> {
    const user = bindTarget(SystemUser.entitySet, agent.id);
    const response = await this.send({
      method: "PATCH",
      path: `${keyPath(agent.id)}${odataQuery({ select: [UserSettings.primaryId] })}`,
      headers: { "if-none-match": "*", prefer: "return=representation" },
      body: {
        [F.name]: truncateText(agent.name || agent.id, UserSettings.maxLength.name),
        [bindProperty(UserSettings.userIdNavigation)]: user,
        [bindProperty(F.ownerId)]: user,
      },
      expect: [412],
    });
    if (response.status === 412) return null;
    const id = toSettings(response.json)?.id ?? idFromEntityIdHeader(response.headers["odata-entityid"]) ?? "";
    if (id === "") throw new Error(`${UserSettings.entity} of user ${agent.id}: created, but the answer carries no row id`);
    const settings: AgentSettings = { id, techId: "", ssoId: "", authCode: "" };
    this.remember(agent.id, settings);
    return settings;
  }

  private async mustRead(agentId: string): Promise<AgentSettings> {
    const settings = await this.reread(agentId);
    if (settings === null) throw new Error(`${UserSettings.entity} of user ${agentId}: exists by its key but cannot be read`);
    return settings;
  }

  private remember(agentId: string, settings: AgentSettings): void {
    this.cache.delete(agentId);
    this.cache.set(agentId, { settings, until: Date.now() + this.ttlMs });
    if (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next();
      if (oldest.done !== true) this.cache.delete(oldest.value);
    }
  }

  /** Broker calls have a person waiting: they fail at once while Dataverse throttles the service. */
  private send(call: DataverseCall): Promise<DataverseResponse> {
    return this.dataverse.send({ ...call, failWhenThrottled: true });
  }
}

/** The row addressed by its alternate key: a lookup key is named by its lookup property `_<name>_value`, its value the id as it is. */
function keyPath(agentId: string): string {
  return alternateKeyPath(UserSettings.entitySet, lookupValueProperty(F.userId), agentId);
}

function toSettings(json: unknown): AgentSettings | null {
  if (typeof json !== "object" || json === null) return null;
  const row = json as Record<string, unknown>;
  const id = textOf(row[UserSettings.primaryId]).toLowerCase();
  if (id === "") return null;
  return { id, techId: textOf(row[F.techId]), ssoId: textOf(row[F.ssoId]), authCode: textOf(row[F.authCode]) };
}


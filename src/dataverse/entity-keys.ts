/**
 * Alternate key metadata through the Web API: the index status of a key and the
 * `ReactivateEntityKey` action (the seed's "Sleutel opnieuw activeren", done for the admin).
 *
 * - Status: `GET EntityDefinitions(LogicalName='<table>')/Keys?$select=LogicalName,EntityKeyIndexStatus`
 *   (`EntityKeyMetadata.EntityKeyIndexStatus`, enum type `EntityKeyIndexStatus`: Pending 0,
 *   InProgress 1, Active 2, Failed 3; JSON carries the member name).
 * - Reactivate: the unbound action `POST ReactivateEntityKey` with `EntityLogicalName` and
 *   `EntityKeyLogicalName` (both Edm.String); it submits a new system job that builds the index.
 */
import { odataString } from "./client";
import type { WebApiClient } from "./web-api-client";

const KEY_INDEX_STATUSES = ["Pending", "InProgress", "Active", "Failed"] as const;
export type KeyIndexStatus = (typeof KEY_INDEX_STATUSES)[number];

/** What the metadata says about one key. */
export type EntityKeyState =
  | { kind: "status"; status: KeyIndexStatus }
  /** The table has no key with that logical name. */
  | { kind: "missing" }
  /** A status value this code does not know (shown as is). */
  | { kind: "unknown"; raw: string };

/** `"Active"`, `2` or `"2"` → `"Active"`; anything else → null. */
export function parseKeyIndexStatus(raw: unknown): KeyIndexStatus | null {
  if (typeof raw === "number" || (typeof raw === "string" && /^[0-9]+$/.test(raw))) {
    return KEY_INDEX_STATUSES[Number(raw)] ?? null;
  }
  if (typeof raw === "string") return KEY_INDEX_STATUSES.find((status) => status.toLowerCase() === raw.toLowerCase()) ?? null;
  return null;
}

/** Relative Web API path of a table's keys. */
export function keysPath(entityLogicalName: string): string {
  return `EntityDefinitions(LogicalName=${odataString(entityLogicalName)})/Keys?$select=LogicalName,SchemaName,EntityKeyIndexStatus`;
}

/** Reads the index status of one alternate key. */
export async function readEntityKeyState(api: Pick<WebApiClient, "send">, entityLogicalName: string, keyLogicalName: string): Promise<EntityKeyState> {
  const response = await api.send("GET", keysPath(entityLogicalName));
  const value = response.body && typeof response.body === "object" ? (response.body as { value?: unknown }).value : undefined;
  const keys = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
  const key = keys.find((candidate) => typeof candidate.LogicalName === "string" && candidate.LogicalName.toLowerCase() === keyLogicalName.toLowerCase());
  if (!key) return { kind: "missing" };
  const status = parseKeyIndexStatus(key.EntityKeyIndexStatus);
  return status ? { kind: "status", status } : { kind: "unknown", raw: String(key.EntityKeyIndexStatus) };
}

/** Asks Dataverse to build the key's index again (a new system job). */
export async function reactivateEntityKey(api: Pick<WebApiClient, "send">, entityLogicalName: string, keyLogicalName: string): Promise<void> {
  await api.send("POST", "ReactivateEntityKey", { EntityLogicalName: entityLogicalName, EntityKeyLogicalName: keyLogicalName });
}

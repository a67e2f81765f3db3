/**
 * Alternate keys through the Web API: the index status of a key and the `ReactivateEntityKey`
 * action (the seed's "Sleutel opnieuw activeren", done for the admin). Runtime-neutral: the
 * configuration page shows the Session Key's status with it and the integration service's
 * `/readyz` checks it with it, so both read the status the same way.
 *
 * - Status: `GET EntityDefinitions(LogicalName='<table>')/Keys?$select=LogicalName,SchemaName,EntityKeyIndexStatus`
 *   (`EntityKeyMetadata.EntityKeyIndexStatus`, enum type `EntityKeyIndexStatus`: Pending 0,
 *   InProgress 1, Active 2, Failed 3; JSON carries the member name, and either form is read).
 * - Reactivate: the unbound action `POST ReactivateEntityKey` with `EntityLogicalName` and
 *   `EntityKeyLogicalName` (both Edm.String); it submits a new system job that builds the index.
 */
import { alternateKeyPath, collectionRows, odataLiteral, odataQuery } from "./odata";
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

/** `"Active"` (any case), `2` or `"2"` → `"Active"`; anything else → null. */
export function parseKeyIndexStatus(raw: unknown): KeyIndexStatus | null {
  if (typeof raw === "number" || (typeof raw === "string" && /^[0-9]+$/.test(raw))) {
    return KEY_INDEX_STATUSES[Number(raw)] ?? null;
  }
  if (typeof raw === "string") return KEY_INDEX_STATUSES.find((status) => status.toLowerCase() === raw.toLowerCase()) ?? null;
  return null;
}

/** Relative Web API path of a table's keys. */
export function keysPath(entityLogicalName: string): string {
  return `${alternateKeyPath("EntityDefinitions", "LogicalName", odataLiteral(entityLogicalName))}/Keys${odataQuery({ select: ["LogicalName", "SchemaName", "EntityKeyIndexStatus"] })}`;
}

/** One key's state in the answer of `keysPath` (the key's logical name compared in any case). */
export function entityKeyState(keysAnswer: unknown, keyLogicalName: string): EntityKeyState {
  const wanted = keyLogicalName.toLowerCase();
  const key = collectionRows(keysAnswer).find((candidate) => typeof candidate.LogicalName === "string" && candidate.LogicalName.toLowerCase() === wanted);
  if (!key) return { kind: "missing" };
  const status = parseKeyIndexStatus(key.EntityKeyIndexStatus);
  return status ? { kind: "status", status } : { kind: "unknown", raw: String(key.EntityKeyIndexStatus) };
}

/** Reads the index status of one alternate key. */
export async function readEntityKeyState(api: Pick<WebApiClient, "send">, entityLogicalName: string, keyLogicalName: string): Promise<EntityKeyState> {
  const response = await api.send("GET", keysPath(entityLogicalName));
  return entityKeyState(response.body, keyLogicalName);
}

/** Asks Dataverse to build the key's index again (a new system job). */
export async function reactivateEntityKey(api: Pick<WebApiClient, "send">, entityLogicalName: string, keyLogicalName: string): Promise<void> {
  await api.send("POST", "ReactivateEntityKey", { EntityLogicalName: entityLogicalName, EntityKeyLogicalName: keyLogicalName });
}

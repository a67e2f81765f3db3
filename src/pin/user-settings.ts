/**
 * The agent's own `lmi_usersettings` row: read (with the user's primary email, the usual Rescue
 * SSO id, in the same request), create when missing, and store what the PIN request learns
 * (auth code, technician id).
 */
import { normalizeId, textOf, type DataverseClient, type Row } from "../dataverse/client";
import { SystemUser, UserSettings } from "../model/schema";
import { truncateText } from "../rescue/text";

export interface UserSettingsRow {
  id: string;
  techId: string;
  ssoId: string;
  /** Secret. */
  authCode: string;
  /** The Dynamics user's primary email ("" when unknown). */
  userEmail: string;
}

const f = UserSettings.fields;
const email = SystemUser.fields.internalEmailAddress;

/** The user's row (alternate key `lmi_userkey` makes it at most one), with the user's email expanded. */
function userSettingsQuery(userId: string): string {
  return `?$select=${UserSettings.primaryId},${f.techId},${f.ssoId},${f.authCode}&$filter=_${f.userId}_value eq ${normalizeId(userId)}&$expand=${UserSettings.userIdNavigation}($select=${email})`;
}

export async function loadUserSettings(client: DataverseClient, userId: string): Promise<UserSettingsRow | null> {
  const [row] = await client.retrieveMultiple(UserSettings.entity, userSettingsQuery(userId), 1);
  return row
    ? {
        id: normalizeId(textOf(row[UserSettings.primaryId])),
        techId: textOf(row[f.techId]),
        ssoId: textOf(row[f.ssoId]),
        authCode: textOf(row[f.authCode]),
        userEmail: textOf((row[UserSettings.userIdNavigation] as Row | null | undefined)?.[email]),
      }
    : null;
}

/** Creates the user's empty row (the creator, the user, owns it); resolves to its id. */
export function createUserSettings(client: DataverseClient, user: { id: string; name: string }): Promise<string> {
  return client.create(UserSettings.entity, {
    [f.name]: truncateText(user.name, UserSettings.maxLength.name),
    [`${UserSettings.userIdNavigation}@odata.bind`]: `/${SystemUser.entitySet}(${normalizeId(user.id)})`,
  });
}

/** Stores what the PIN request learnt: a new auth code and/or the technician id ("" values are left out). */
export function storeUserSettings(client: DataverseClient, id: string, changes: { authCode?: string; techId?: string }): Promise<void> {
  const data: Row = {};
  if (changes.authCode) data[f.authCode] = changes.authCode;
  if (changes.techId) data[f.techId] = changes.techId;
  return client.update(UserSettings.entity, id, data);
}

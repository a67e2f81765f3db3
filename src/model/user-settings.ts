/**
 * `lmi_usersettings` — "LogMeIn User Settings": user-owned, one per user (alternate key
 * `lmi_userkey` on `lmi_userid`; DESIGN.md §5).
 *
 * Import it as a namespace (`import * as UserSettings from "../model/user-settings"`): a web
 * resource bundle then carries only the exports it reads. The build checks every fact here
 * against `solution/Entities/lmi_usersettings/Entity.xml` (src/packaging/solution-tables.ts).
 */
import type * as UserSettingsFields from "./user-settings-fields";

export const entity = "lmi_usersettings";
export const entitySet = "lmi_usersettingses";
export const primaryId = "lmi_usersettingsid";

/** Alternate key on `lmi_userid`: one row per user. */
export const userKey = "lmi_userkey";

/** The columns the product names (src/model/user-settings-fields.ts). */
export * as fields from "./user-settings-fields";

/** Single-valued navigation property of `lmi_userid`, for `@odata.bind`. */
export const userIdNavigation = "lmi_userid";

/** Longest text each text column takes, in UTF-16 code units (`MaxLength`). */
export const maxLength = {
  name: 100,
  techId: 20,
  ssoId: 128,
  authCode: 200,
} as const;

/** The alternate keys and the `fields` they are made of. */
export const keys: readonly { name: string; fields: readonly (keyof typeof UserSettingsFields)[] }[] = [{ name: userKey, fields: ["userId"] }];

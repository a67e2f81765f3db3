/**
 * The columns of `lmi_usersettings` that the product names; src/model/user-settings.ts has the table's
 * other facts and re-exports these as `UserSettings.fields`.
 *
 * Import it as a namespace (`import * as UserSettingsFields from "../model/user-settings-fields"`): a web
 * resource bundle then carries only the names it reads.
 */
export const name = "lmi_name";
export const userId = "lmi_userid";
export const techId = "lmi_techid";
export const ssoId = "lmi_ssoid";
/** Secured: only the integration user and administrators read it. */
export const authCode = "lmi_authcode";
export const ownerId = "ownerid";
export const stateCode = "statecode";

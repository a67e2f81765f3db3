/**
 * `lmi_session` — "LogMeIn Session": user-owned, linked to its Case; the integration service
 * writes one per Rescue session from Rescue's Post to URL (DESIGN.md §5, §8).
 *
 * Import it as a namespace (`import * as Session from "../model/session"`). The build checks
 * every fact here against `solution/Entities/lmi_session/Entity.xml` and the relationships
 * (src/packaging/solution-tables.ts).
 */
import type * as SessionFields from "./session-fields";

export const entity = "lmi_session";
export const entitySet = "lmi_sessions";
/** The table's own GUID primary key (not the Rescue session id). */
export const primaryId = "lmi_sessionid";

/** Alternate key "Session Key" on `lmi_rescuesessionid`. */
export const sessionKey = "lmi_sessionkey";

/** The columns the product names (src/model/session-fields.ts). */
export * as fields from "./session-fields";

/** Single-valued navigation property of `lmi_caseid`, for `@odata.bind`. */
export const caseIdNavigation = "lmi_caseid";

/** Referential relationship Case 1:N LogMeIn Session (on `lmi_caseid`; DESIGN.md §5: no cascade but RemoveLink on delete). */
export const caseRelationship = "lmi_incident_lmi_session";

/** Longest text each text column takes, in UTF-16 code units (`MaxLength`). */
export const maxLength = {
  name: 200,
  rescueSessionId: 20,
  techId: 20,
  techSsoId: 128,
  techName: 128,
  techEmail: 128,
  techDescr: 512,
  cfield0: 64,
  cfield1: 512,
  cfield2: 512,
  cfield3: 256,
  cfield4: 64,
  cfield5: 64,
  tracking0: 64,
  chatLog: 1048576,
  notes: 1048576,
  platform: 100,
  tsurvey0: 1000,
  tsurvey1: 1000,
  tsurvey2: 1000,
  tsurvey3: 1000,
  tsurvey4: 1000,
  tsurvey5: 1000,
  tsurvey6: 1000,
  tsurvey7: 1000,
  tsurvey8: 1000,
  tsurvey9: 1000,
} as const;

/** Largest value each number column takes (`MaxValue`; `lmi_transmitted` is a decimal with precision 0). */
export const maxValue = {
  waitingTime: 2_147_483_647,
  workTime: 2_147_483_647,
  transmitted: 100_000_000_000,
} as const;

/** Choice `lmi_status`. */
export const SessionStatus = {
  Active: 645100000,
  Closed: 645100001,
} as const;
export type SessionStatusValue = (typeof SessionStatus)[keyof typeof SessionStatus];

/** The choice columns and their values. */
export const choices = { status: SessionStatus } as const;

/** The alternate keys and the `fields` they are made of. */
export const keys: readonly { name: string; fields: readonly (keyof typeof SessionFields)[] }[] = [{ name: sessionKey, fields: ["rescueSessionId"] }];

/**
 * The columns of `lmi_session` that the product names; src/model/session.ts has the table's
 * other facts and re-exports these as `Session.fields`.
 *
 * Import it as a namespace (`import * as SessionFields from "../model/session-fields"`): a web
 * resource bundle then carries only the names it reads.
 */
export const name = "lmi_name";
export const rescueSessionId = "lmi_rescuesessionid";
export const caseId = "lmi_caseid";
export const techId = "lmi_techid";
export const techSsoId = "lmi_techssoid";
export const techName = "lmi_techname";
export const techEmail = "lmi_techemail";
export const techDescr = "lmi_techdescr";
export const cfield0 = "lmi_cfield0";
export const cfield1 = "lmi_cfield1";
export const cfield2 = "lmi_cfield2";
export const cfield3 = "lmi_cfield3";
export const cfield4 = "lmi_cfield4";
export const cfield5 = "lmi_cfield5";
export const tracking0 = "lmi_tracking0";
export const chatLog = "lmi_chatlog";
export const notes = "lmi_notes";
export const waitingTime = "lmi_waitingtime";
export const workTime = "lmi_worktime";
export const pickupTime = "lmi_pickuptime";
export const closingTime = "lmi_closingtime";
export const lastActionTime = "lmi_lastactiontime";
export const transmitted = "lmi_transmitted";
export const platform = "lmi_platform";
export const tsurvey0 = "lmi_tsurvey0";
export const tsurvey1 = "lmi_tsurvey1";
export const tsurvey2 = "lmi_tsurvey2";
export const tsurvey3 = "lmi_tsurvey3";
export const tsurvey4 = "lmi_tsurvey4";
export const tsurvey5 = "lmi_tsurvey5";
export const tsurvey6 = "lmi_tsurvey6";
export const tsurvey7 = "lmi_tsurvey7";
export const tsurvey8 = "lmi_tsurvey8";
export const tsurvey9 = "lmi_tsurvey9";
export const status = "lmi_status";

/**
 * The Dataverse type of every column the product names on its own tables, as `<Type>` in the
 * table's `Entity.xml` has it. Code relies on them (the service writes numbers to `int` and
 * `decimal` columns, ISO dates to `datetime` ones, choice values to `picklist` ones), and the build
 * checks them against the solution (src/packaging/solution-tables.ts). Kept out of the table
 * modules because no web resource needs them.
 */
import type * as Configuration from "./configuration";
import type * as PinRequest from "./pin-request";
import type * as Session from "./session";
import type * as UserSettings from "./user-settings";

/** The `<Type>` values of solution `Entity.xml` files that the product's columns have. */
export type ColumnType = "primarykey" | "nvarchar" | "ntext" | "picklist" | "bit" | "int" | "decimal" | "datetime" | "lookup" | "owner" | "state";

type TypesOf<Fields> = Readonly<Record<keyof Fields, ColumnType>>;

export const configurationColumnTypes: TypesOf<typeof Configuration.fields> = {
  name: "nvarchar",
  environment: "picklist",
  endpoint: "nvarchar",
  serviceUrl: "nvarchar",
  companyId: "nvarchar",
  ssoPassword: "nvarchar",
  dynamicsUrl: "nvarchar",
  tenantId: "nvarchar",
  requireActiveTechConsole: "bit",
  closeTicketOnSessionEnd: "bit",
  reassignCaseOnSessionStart: "bit",
  doNotPassCField1: "bit",
  stateCode: "state",
  modifiedOn: "datetime",
};

export const userSettingsColumnTypes: TypesOf<typeof UserSettings.fields> = {
  name: "nvarchar",
  userId: "lookup",
  techId: "nvarchar",
  ssoId: "nvarchar",
  authCode: "nvarchar",
  ownerId: "owner",
  stateCode: "state",
};

export const pinRequestColumnTypes: TypesOf<typeof PinRequest.fields> = {
  name: "nvarchar",
  caseId: "lookup",
  nonce: "nvarchar",
  status: "picklist",
  pinCode: "nvarchar",
  result: "nvarchar",
  createdOn: "datetime",
  createdBy: "lookup",
  ownerId: "owner",
};

export const sessionColumnTypes: TypesOf<typeof Session.fields> = {
  name: "nvarchar",
  rescueSessionId: "nvarchar",
  caseId: "lookup",
  techId: "nvarchar",
  techSsoId: "nvarchar",
  techName: "nvarchar",
  techEmail: "nvarchar",
  techDescr: "nvarchar",
  cfield0: "nvarchar",
  cfield1: "nvarchar",
  cfield2: "nvarchar",
  cfield3: "nvarchar",
  cfield4: "nvarchar",
  cfield5: "nvarchar",
  tracking0: "nvarchar",
  chatLog: "ntext",
  notes: "ntext",
  waitingTime: "int",
  workTime: "int",
  pickupTime: "datetime",
  closingTime: "datetime",
  lastActionTime: "datetime",
  transmitted: "decimal",
  platform: "nvarchar",
  tsurvey0: "nvarchar",
  tsurvey1: "nvarchar",
  tsurvey2: "nvarchar",
  tsurvey3: "nvarchar",
  tsurvey4: "nvarchar",
  tsurvey5: "nvarchar",
  tsurvey6: "nvarchar",
  tsurvey7: "nvarchar",
  tsurvey8: "nvarchar",
  tsurvey9: "nvarchar",
  status: "picklist",
};

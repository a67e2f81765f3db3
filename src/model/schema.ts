/**
 * Logical names of the product's Dataverse tables, columns and choices (DESIGN.md §5).
 *
 * The one place where these names are spelled: the web resource scripts, the pages and the
 * integration service import them from here, and the solution checks compare the solution
 * XML against them. Plain `as const` objects (no `XrmEnum`, no `const enum`), so they survive
 * `isolatedModules` and esbuild unchanged.
 */

/** `lmi_configuration` — "LogMeIn Configuration", organisation-owned, one active row. */
export const Configuration = {
  entity: "lmi_configuration",
  entitySet: "lmi_configurations",
  primaryId: "lmi_configurationid",
  fields: {
    name: "lmi_name",
    environment: "lmi_environment",
    endpoint: "lmi_endpoint",
    /** "Integration service URL": the https root browsers call for PINs and Rescue posts to. */
    serviceUrl: "lmi_serviceurl",
    companyId: "lmi_companyid",
    ssoPassword: "lmi_ssopassword",
    dynamicsUrl: "lmi_dynamicsurl",
    tenantId: "lmi_tenantid",
    requireActiveTechConsole: "lmi_requireactivetechconsole",
    closeTicketOnSessionEnd: "lmi_closeticketonsessionend",
    reassignCaseOnSessionStart: "lmi_reassigncaseonsessionstart",
    doNotPassCField1: "lmi_donotpasscfield1",
    stateCode: "statecode",
    modifiedOn: "modifiedon",
    createdOn: "createdon",
  },
  maxLength: {
    name: 100,
    endpoint: 400,
    serviceUrl: 400,
    companyId: 20,
    ssoPassword: 200,
    dynamicsUrl: 400,
    tenantId: 36,
  },
} as const;

/** Choice `lmi_environment` on `lmi_configuration`. */
export const Environment = {
  Production: 645100000,
  Beta: 645100001,
  Custom: 645100002,
} as const;
export type EnvironmentValue = (typeof Environment)[keyof typeof Environment];

/** `lmi_usersettings` — "LogMeIn User Settings", user-owned, one per user (key `lmi_userkey`). */
export const UserSettings = {
  entity: "lmi_usersettings",
  entitySet: "lmi_usersettingses",
  primaryId: "lmi_usersettingsid",
  /** Alternate key on `lmi_userid`. */
  userKey: "lmi_userkey",
  fields: {
    name: "lmi_name",
    userId: "lmi_userid",
    techId: "lmi_techid",
    ssoId: "lmi_ssoid",
    authCode: "lmi_authcode",
    ownerId: "ownerid",
    stateCode: "statecode",
  },
  /** Single-valued navigation property of `lmi_userid`, for `@odata.bind`. */
  userIdNavigation: "lmi_userid",
  maxLength: {
    name: 100,
    techId: 20,
    ssoId: 128,
    authCode: 200,
  },
} as const;

/**
 * `lmi_pinrequest` — "LogMeIn PIN Request", user-owned, one per Request PIN click (DESIGN.md §5,
 * §7): the agent's proof of identity to the integration service (Dataverse sets `createdby`; only
 * the creating browser knows the nonce) and the record of the outcome.
 */
export const PinRequest = {
  entity: "lmi_pinrequest",
  entitySet: "lmi_pinrequests",
  primaryId: "lmi_pinrequestid",
  fields: {
    name: "lmi_name",
    caseId: "lmi_caseid",
    nonce: "lmi_nonce",
    status: "lmi_status",
    pinCode: "lmi_pincode",
    result: "lmi_result",
    createdOn: "createdon",
    createdBy: "createdby",
    ownerId: "ownerid",
  },
  /** Single-valued navigation property of `lmi_caseid`, for `@odata.bind`. */
  caseIdNavigation: "lmi_caseid",
  /** Single-valued navigation property of `createdby`, for `$expand`. */
  createdByNavigation: "createdby",
  maxLength: {
    name: 100,
    nonce: 100,
    pinCode: 20,
    result: 100,
  },
} as const;

/** Choice `lmi_status` on `lmi_pinrequest`. */
export const PinRequestStatus = {
  Requested: 645100000,
  Processing: 645100001,
  Issued: 645100002,
  Failed: 645100003,
} as const;
export type PinRequestStatusValue = (typeof PinRequestStatus)[keyof typeof PinRequestStatus];

/** Referential relationship Case 1:N LogMeIn PIN Request. */
export const CasePinRequestsRelationship = "lmi_incident_lmi_pinrequest";

/** `lmi_session` — "LogMeIn Session", user-owned, child of the Case. */
export const Session = {
  entity: "lmi_session",
  entitySet: "lmi_sessions",
  /** The table's own GUID primary key (not the Rescue session id). */
  primaryId: "lmi_sessionid",
  /** Alternate key on `lmi_rescuesessionid`. */
  sessionKey: "lmi_sessionkey",
  fields: {
    name: "lmi_name",
    rescueSessionId: "lmi_rescuesessionid",
    caseId: "lmi_caseid",
    techId: "lmi_techid",
    techSsoId: "lmi_techssoid",
    techName: "lmi_techname",
    techEmail: "lmi_techemail",
    techDescr: "lmi_techdescr",
    cfield0: "lmi_cfield0",
    cfield1: "lmi_cfield1",
    cfield2: "lmi_cfield2",
    cfield3: "lmi_cfield3",
    cfield4: "lmi_cfield4",
    cfield5: "lmi_cfield5",
    tracking0: "lmi_tracking0",
    chatLog: "lmi_chatlog",
    notes: "lmi_notes",
    waitingTime: "lmi_waitingtime",
    workTime: "lmi_worktime",
    pickupTime: "lmi_pickuptime",
    closingTime: "lmi_closingtime",
    lastActionTime: "lmi_lastactiontime",
    transmitted: "lmi_transmitted",
    platform: "lmi_platform",
    tsurvey0: "lmi_tsurvey0",
    tsurvey1: "lmi_tsurvey1",
    tsurvey2: "lmi_tsurvey2",
    tsurvey3: "lmi_tsurvey3",
    tsurvey4: "lmi_tsurvey4",
    tsurvey5: "lmi_tsurvey5",
    tsurvey6: "lmi_tsurvey6",
    tsurvey7: "lmi_tsurvey7",
    tsurvey8: "lmi_tsurvey8",
    tsurvey9: "lmi_tsurvey9",
    status: "lmi_status",
  },
  /** Single-valued navigation property of `lmi_caseid`, for `@odata.bind`. */
  caseIdNavigation: "lmi_caseid",
  maxLength: {
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
    tsurvey: 1000,
  },
  /** Largest values of the number columns: `lmi_transmitted` is a decimal with precision 0 (solution Entity.xml MaxValue). */
  maxValue: {
    transmitted: 100_000_000_000,
  },
} as const;

/** Choice `lmi_status` on `lmi_session`. */
export const SessionStatus = {
  Active: 645100000,
  Closed: 645100001,
} as const;
export type SessionStatusValue = (typeof SessionStatus)[keyof typeof SessionStatus];

/** Referential relationship Case 1:N LogMeIn Session (DESIGN.md §5: no cascade but RemoveLink on delete). */
export const CaseSessionsRelationship = "lmi_incident_lmi_session";

/** The standard Case (`incident`) columns the product reads or writes. */
export const Incident = {
  entity: "incident",
  entitySet: "incidents",
  primaryId: "incidentid",
  fields: {
    title: "title",
    ticketNumber: "ticketnumber",
    customerId: "customerid",
    ownerId: "ownerid",
    stateCode: "statecode",
    statusCode: "statuscode",
    primaryContactId: "primarycontactid",
    /** The Case's own "Email Address" column (filled by email-to-case). */
    emailAddress: "emailaddress",
  },
  /** Single-valued navigation properties of the polymorphic `customerid`, for `$expand`. */
  customerNavigation: { contact: "customerid_contact", account: "customerid_account" },
  /** `statecode` values of `incident`. */
  state: { Active: 0, Resolved: 1, Cancelled: 2 },
  /** `statuscode` used when the service resolves a Case ("Problem Solved"). */
  resolvedStatus: 5,
} as const;

/** The standard user (`systemuser`) columns the integration service reads. */
export const SystemUser = {
  entity: "systemuser",
  entitySet: "systemusers",
  primaryId: "systemuserid",
  fields: {
    /** The user's primary email, usually their Rescue SSO id. */
    internalEmailAddress: "internalemailaddress",
    isDisabled: "isdisabled",
  },
} as const;

/** The Case resolution (`incidentresolution`) the service creates through `CloseIncident`. */
export const IncidentResolution = {
  entity: "incidentresolution",
  /** Unbound Web API action that resolves a Case. */
  closeAction: "CloseIncident",
  fields: {
    subject: "subject",
    incidentId: "incidentid",
  },
} as const;

/** The standard tables the PIN request and the PIN dialog's email draft touch. */
export const Contact = { entity: "contact", entitySet: "contacts", fields: { email: "emailaddress1" } } as const;
export const Account = { entity: "account", entitySet: "accounts", fields: { email: "emailaddress1" } } as const;

/** The email activity, its parties (`activityparty`) and its regarding link to a Case. */
export const EmailActivity = {
  entity: "email",
  entitySet: "emails",
  fields: { subject: "subject", description: "description", directionCode: "directioncode" },
  /** Collection-valued navigation property holding the senders and recipients. */
  partiesNavigation: "email_activity_parties",
  /** `regardingobjectid` bound to a Case (the email's navigation property carries the `_email` suffix). */
  regardingIncidentNavigation: "regardingobjectid_incident_email",
  party: {
    participationTypeMask: "participationtypemask",
    /** `partyid_<entity>@odata.bind` names the party's table. */
    partyNavigationPrefix: "partyid_",
    sender: 1,
    toRecipient: 2,
  },
} as const;

/** Names of the security roles and field security profiles (DESIGN.md §5). */
export const SecurityNames = {
  agentRole: "LogMeIn Rescue Agent",
  integrationRole: "LogMeIn Integration User",
  integrationFieldProfile: "LogMeIn Rescue Integration",
  adminFieldProfile: "LogMeIn Rescue Administrator",
} as const;

/**
 * The other standard tables the product touches, with only the columns it uses. Standard
 * tables: not in `solution/`. (The Case is src/model/incident.ts.)
 */

/** The user (`systemuser`): the integration service reads an agent's primary email and finds technicians. */
export const SystemUser = {
  entity: "systemuser",
  entitySet: "systemusers",
  primaryId: "systemuserid",
  fields: {
    fullName: "fullname",
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

/** A Case's customer when it is a person. */
export const Contact = { entity: "contact", entitySet: "contacts", primaryId: "contactid", fields: { fullName: "fullname", email: "emailaddress1" } } as const;
/** A Case's customer when it is an organisation. */
export const Account = { entity: "account", entitySet: "accounts", primaryId: "accountid", fields: { name: "name", email: "emailaddress1" } } as const;

/** The email activity, its parties (`activityparty`) and its regarding link to a Case. */
export const EmailActivity = {
  entity: "email",
  entitySet: "emails",
  fields: { subject: "subject", description: "description", directionCode: "directioncode" },
  /**
   * Longest text of the columns the product cuts (their `MaxLength`; a standard table, not in
   * `solution/`). `subject`: 200 in Dynamics 365 Customer Engagement (on-premises) 9.x, 800 in
   * Dataverse online today (Microsoft's Email table/entity references); the solution installs
   * into both, so the smaller one, which both accept.
   */
  maxLength: { subject: 200 },
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

/**
 * The `lmi_pinrequest` rows as the broker uses them (DESIGN.md §5, §7):
 *
 * - `read`: one GET of the row with everything the PIN needs, nested in one `$expand` — the
 *   creator (`createdby`: the agent, their name and primary email) and the Case with its number,
 *   its email and its customer (contact or account: name, email);
 * - `claim`: Requested → Processing with `If-Match` on the ETag of that read, so of any number of
 *   concurrent calls exactly one wins (Dataverse answers the others 412);
 * - `recordOutcome`: Issued + PIN + "OK", or Failed + the word (`If-Match: *`: never creates a row);
 * - `listOlderThan` / `remove`: retention, with plain DELETE requests.
 */
import { collectionRows, entityPath, lookupValueProperty, odataQuery, textOf, type Row } from "../../dataverse/odata";
import * as Incident from "../../model/incident";
import * as IncidentFields from "../../model/incident-fields";
import * as PinRequest from "../../model/pin-request";
import * as PinRequestFields from "../../model/pin-request-fields";
import { Account, Contact, SystemUser } from "../../model/standard-tables";
import { truncateText } from "../../common/text";
import type { DataverseCall, DataverseResponse, DataverseTransport } from "../dataverse-client";

const F = PinRequestFields;
const { PinRequestStatus } = PinRequest;
const nav = Incident.customerNavigation;
const createdBy = lookupValueProperty(F.createdBy);

/** The read: the row's own columns, its creator and its Case with the customer, in one request. */
const PIN_REQUEST_QUERY = odataQuery({
  select: [F.nonce, F.status, F.createdOn, createdBy],
  expand:
    `${PinRequest.createdByNavigation}($select=${SystemUser.fields.fullName},${SystemUser.fields.internalEmailAddress}),` +
    `${PinRequest.caseIdNavigation}($select=${IncidentFields.ticketNumber},${IncidentFields.emailAddress};` +
    `$expand=${nav.contact}($select=${Contact.fields.fullName},${Contact.fields.email}),${nav.account}($select=${Account.fields.name},${Account.fields.email}))`,
});

export interface PinRequestAgent {
  /** `systemuserid`, lower case. */
  id: string;
  name: string;
  /** Primary email (`internalemailaddress`), "" when none. */
  email: string;
}

export interface PinRequestCase {
  /** `incidentid`, lower case. */
  id: string;
  number: string;
  customer: { entityType: "contact" | "account"; id: string; name: string } | null;
  /** The customer's email, else the Case's own email address; "" when neither. */
  email: string;
}

export interface PinRequestRecord {
  id: string;
  nonce: string;
  /** `lmi_status`, or null when empty. */
  status: number | null;
  /** `createdon` in ms since the epoch; NaN when unreadable. */
  createdOn: number;
  etag: string;
  /** null when the creator could not be read. */
  agent: PinRequestAgent | null;
  /** null when the row has no Case or the service cannot read it. */
  incident: PinRequestCase | null;
}

export type PinRequestOutcome = { pin: string } | { word: string };

export class PinRequestStore {
  constructor(private readonly dataverse: Pick<DataverseTransport, "send">) {}

  /** The row, or null when there is none with this id. */
  async read(id: string): Promise<PinRequestRecord | null> {
    const response = await this.send({ method: "GET", path: `${entityPath(PinRequest.entitySet, id)}${PIN_REQUEST_QUERY}`, expect: [404] });
    if (response.status === 404) return null;
    return toRecord(id, asRow(response.json) ?? {});
  }

  /** Requested → Processing, only if the row is unchanged since `etag` was read; false when another call changed it first. */
  async claim(id: string, etag: string): Promise<boolean> {
    const response = await this.send({
      method: "PATCH",
      path: entityPath(PinRequest.entitySet, id),
      headers: { "if-match": etag },
      body: { [F.status]: PinRequestStatus.Processing },
      expect: [404, 412],
    });
    return response.status < 300;
  }

  async recordOutcome(id: string, outcome: PinRequestOutcome): Promise<void> {
    const body =
      "pin" in outcome
        ? { [F.status]: PinRequestStatus.Issued, [F.pinCode]: outcome.pin, [F.result]: "OK" }
        : { [F.status]: PinRequestStatus.Failed, [F.result]: truncateText(outcome.word, PinRequest.maxLength.result) };
    await this.send({ method: "PATCH", path: entityPath(PinRequest.entitySet, id), headers: { "if-match": "*" }, body, expect: [404] });
  }

  /** Ids of up to `top` rows created before `cutoff`, oldest first. */
  async listOlderThan(cutoff: Date, top: number): Promise<string[]> {
    const response = await this.dataverse.send({
      method: "GET",
      path: `${PinRequest.entitySet}${odataQuery({ select: [PinRequest.primaryId], filter: `${F.createdOn} lt ${cutoff.toISOString()}`, orderby: `${F.createdOn} asc`, top })}`,
    });
    return collectionRows(response.json)
      .map((row) => row[PinRequest.primaryId])
      .filter((id): id is string => typeof id === "string");
  }

  /** Deletes a row; one that is already gone counts as deleted. */
  async remove(id: string): Promise<void> {
    await this.dataverse.send({ method: "DELETE", path: entityPath(PinRequest.entitySet, id), expect: [404] });
  }

  /** Broker calls have a person waiting: they fail at once while Dataverse throttles the service. */
  private send(call: DataverseCall): Promise<DataverseResponse> {
    return this.dataverse.send({ ...call, failWhenThrottled: true });
  }
}

function toRecord(id: string, row: Row): PinRequestRecord {
  const creator = asRow(row[PinRequest.createdByNavigation]);
  const creatorId = textOf(creator?.[SystemUser.primaryId]) || textOf(row[createdBy]);
  const incident = asRow(row[PinRequest.caseIdNavigation]);
  const status = row[F.status];
  const nonce = row[F.nonce];
  const createdOn = row[F.createdOn];
  return {
    id,
    nonce: typeof nonce === "string" ? nonce : "",
    status: typeof status === "number" ? status : null,
    createdOn: typeof createdOn === "string" ? Date.parse(createdOn) : Number.NaN,
    etag: textOf(row["@odata.etag"]),
    agent: creatorId === "" ? null : { id: creatorId.toLowerCase(), name: textOf(creator?.[SystemUser.fields.fullName]), email: textOf(creator?.[SystemUser.fields.internalEmailAddress]) },
    incident: incident === null ? null : toCase(incident),
  };
}

function toCase(row: Row): PinRequestCase | null {
  const id = textOf(row[Incident.primaryId]).toLowerCase();
  if (id === "") return null;
  const contact = asRow(row[nav.contact]);
  const account = asRow(row[nav.account]);
  const customer =
    contact !== null && textOf(contact[Contact.primaryId]) !== ""
      ? { entityType: "contact" as const, id: textOf(contact[Contact.primaryId]).toLowerCase(), name: textOf(contact[Contact.fields.fullName]) }
      : account !== null && textOf(account[Account.primaryId]) !== ""
        ? { entityType: "account" as const, id: textOf(account[Account.primaryId]).toLowerCase(), name: textOf(account[Account.fields.name]) }
        : null;
  const customerEmail = textOf((contact ?? account)?.[Contact.fields.email]);
  return {
    id,
    number: textOf(row[IncidentFields.ticketNumber]),
    customer,
    email: customerEmail || textOf(row[IncidentFields.emailAddress]),
  };
}

function asRow(value: unknown): Row | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Row) : null;
}


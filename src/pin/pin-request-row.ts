/**
 * The `lmi_pinrequest` row one click creates (DESIGN.md §5, §7): the Case, the nonce and a name
 * people can read in views ("<Case number> <time>"). Dataverse records who created it; the
 * integration service reads the row by its id, checks the nonce, claims it and writes the outcome.
 */
import { normalizeId, type DataverseClient } from "../dataverse/client";
import { Incident, PinRequest } from "../model/schema";

const pad = (value: number): string => String(value).padStart(2, "0");

/** "CAS-01001-Z8K4P2 2026-12-02 09:41:07" (local time); cut to the column length. */
export function pinRequestName(caseLabel: string, at: Date): string {
  const time = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
  const max = PinRequest.maxLength.name;
  const label = caseLabel.trim().slice(0, max - time.length - 1).trim();
  return label ? `${label} ${time}` : time;
}

export interface NewPinRequest {
  /** The Case (lower case, no braces). */
  caseId: string;
  name: string;
  nonce: string;
}

/** Creates the row (one Web API create); resolves to its id, lower case without braces. */
export async function createPinRequest(client: DataverseClient, request: NewPinRequest): Promise<string> {
  const f = PinRequest.fields;
  const id = await client.create(PinRequest.entity, {
    [f.name]: request.name,
    [`${PinRequest.caseIdNavigation}@odata.bind`]: `/${Incident.entitySet}(${normalizeId(request.caseId)})`,
    [f.nonce]: request.nonce,
  });
  return normalizeId(id);
}

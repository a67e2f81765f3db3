/**
 * The `lmi_pinrequest` row one click creates (DESIGN.md §5, §7): the Case, the nonce and a name
 * people can read in views ("<Case number> <time>"). Dataverse records who created it; the
 * integration service reads the row by its id, checks the nonce, claims it and writes the outcome.
 */
import type { DataverseClient } from "../dataverse/client";
import { bindProperty, bindTarget } from "../dataverse/odata";
import * as Incident from "../model/incident";
import * as PinRequest from "../model/pin-request";
import * as PinRequestFields from "../model/pin-request-fields";
import { normalizeId } from "../common/guid";
import { truncateText } from "../common/text";

const pad = (value: number): string => String(value).padStart(2, "0");

/** "CAS-01001-Z8K4P2 2026-12-02 09:41:07" (local time); the label cut so that the name fits its column. */
export function pinRequestName(caseLabel: string, at: Date): string {
  const time = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
  const label = truncateText(caseLabel.trim(), PinRequest.maxLength.name - time.length - 1).trim();
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
  const id = await client.create(PinRequest.entity, {
    [PinRequestFields.name]: request.name,
    [bindProperty(PinRequest.caseIdNavigation)]: bindTarget(Incident.entitySet, request.caseId),
    [PinRequestFields.nonce]: request.nonce,
  });
  return normalizeId(id);
}

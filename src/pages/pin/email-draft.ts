/**
 * "Email to customer": a draft email activity regarding the Case, from the agent to the Case's
 * customer, with a localized subject and an HTML body carrying the PIN, the link and the
 * instructions. Every value is HTML-escaped; the translations' placeholders are filled after the
 * template itself is escaped.
 */
import type { DataverseClient } from "../../dataverse/client";
import type { Row } from "../../dataverse/odata";
import * as Incident from "../../model/incident";
import { Account, Contact, EmailActivity, SystemUser } from "../../model/standard-tables";
import type { PinDialogData } from "../../pin/dialog-data";
import { normalizeId } from "../../common/guid";
import { truncateText } from "../../common/text";
import { fillPlaceholders, type Translator } from "../../strings/translator";
import { CUSTOMER_SITE, CUSTOMER_SITE_URL, directLink, formatPin } from "./format";

const HTML_ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

/** A translation as HTML: the template escaped, then its placeholders filled with ready HTML. */
function html(t: Translator, key: string, ...htmlArgs: string[]): string {
  return fillPlaceholders(escapeHtml(t(key)), htmlArgs);
}

const link = (href: string, text: string): string => `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;

export interface EmailDraftInput {
  data: PinDialogData & { customer: NonNullable<PinDialogData["customer"]> };
  /** The agent (sender). */
  userId: string;
  t: Translator;
}

const partyTable: Readonly<Record<string, { entitySet: string }>> = { contact: Contact, account: Account };

/** The Web API body of the draft email (`createRecord("email", …)`). */
export function buildEmailDraft({ data, userId, t }: EmailDraftInput): Row {
  const pin = formatPin(data.pin);
  const url = directLink(data.pin);
  const { party, fields } = EmailActivity;
  const subject = data.caseNumber ? t("Pin.EmailSubject", data.caseNumber, pin) : t("Pin.EmailSubjectNoCase", pin);
  const body = [
    `<p>${html(t, "Pin.EmailGreeting")}</p>`,
    `<p>${html(t, "Pin.EmailIntro")}</p>`,
    `<ol><li>${html(t, "Pin.EmailStep1", link(CUSTOMER_SITE_URL, CUSTOMER_SITE))}</li>`,
    `<li>${html(t, "Pin.EmailStep2", `<strong>${escapeHtml(pin)}</strong>`)}</li></ol>`,
    `<p>${html(t, "Pin.EmailLink", link(url, url))}</p>`,
    data.caseNumber ? `<p>${html(t, "Pin.EmailCase", escapeHtml(data.caseNumber))}</p>` : "",
    `<p>${html(t, "Pin.EmailClosing")}</p>`,
  ].join("");
  return {
    [fields.subject]: truncateText(subject, EmailActivity.maxLength.subject),
    [fields.description]: body,
    [fields.directionCode]: true,
    [`${EmailActivity.regardingIncidentNavigation}@odata.bind`]: `/${Incident.entitySet}(${normalizeId(data.caseId)})`,
    [EmailActivity.partiesNavigation]: [
      { [`${party.partyNavigationPrefix}${SystemUser.entity}@odata.bind`]: `/${SystemUser.entitySet}(${normalizeId(userId)})`, [party.participationTypeMask]: party.sender },
      {
        [`${party.partyNavigationPrefix}${data.customer.entityType}@odata.bind`]: `/${partyTable[data.customer.entityType]?.entitySet ?? ""}(${normalizeId(data.customer.id)})`,
        [party.participationTypeMask]: party.toRecipient,
      },
    ],
  };
}

/** Creates the draft; resolves to its id. */
export function createEmailDraft(client: DataverseClient, input: EmailDraftInput): Promise<string> {
  return client.create(EmailActivity.entity, buildEmailDraft(input));
}

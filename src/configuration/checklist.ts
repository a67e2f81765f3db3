/**
 * "What else to set up": the steps outside this page (seed: "LogMeIn Rescue configureren",
 * "Toepassingsgebruiker configureren", "Gebruikers configureren"), with the values to copy.
 *
 * The Post-to-URL addresses point at the product's integration service (`/api/integration`,
 * DESIGN.md §8). When the endpoint is the service's relay (`https://<service>/api/rescue`), the
 * service address is known and the values are complete; otherwise they carry a placeholder the
 * admin replaces.
 */
import { SecurityNames, UserSettings } from "../model/schema";
import { checkDynamicsUrl, checkTenantId, organisationUrl } from "./validation";

const INTEGRATION_PATH = "/api/integration";
const RELAY_PATH = "/api/rescue";

export interface ChecklistValue {
  /** RESX key of the value's label. */
  labelKey: string;
  value: string;
  /** False when the value is a placeholder, missing or not valid (no copy button). */
  complete: boolean;
}

export interface ChecklistItem {
  id: "posttourl" | "applicationuser" | "agents";
  titleKey: string;
  textKey: string;
  /** RESX key of an extra note shown under the values, if any. */
  noteKey?: string;
  values: ChecklistValue[];
  link?: { labelKey: string; href: string };
}

export interface ChecklistInput {
  endpoint: string;
  dynamicsUrl: string;
  tenantId: string;
  clientUrl: string;
}

/** `https://svc.example.com/api/rescue` → `https://svc.example.com`; null when the endpoint is not the relay. */
export function integrationServiceBase(endpoint: string): string | null {
  let url: URL;
  try {
    url = new URL(endpoint.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "https:") return null;
  const path = url.pathname.replace(/\/+$/, "");
  if (!path.toLowerCase().endsWith(RELAY_PATH)) return null;
  return `${url.origin}${path.slice(0, path.length - RELAY_PATH.length)}`;
}

/** Placeholder for the service address when it is not known. */
export const SERVICE_PLACEHOLDER = "https://<integration-service>";

/** The three setup steps, with values taken from what is on the page right now. */
export function buildChecklist(input: ChecklistInput): ChecklistItem[] {
  const base = integrationServiceBase(input.endpoint);
  const service = base ?? SERVICE_PLACEHOLDER;
  const clientUrl = organisationUrl(input.clientUrl);
  const tenant = checkTenantId(input.tenantId);
  const tenantId = tenant.ok ? tenant.value : input.tenantId.trim();
  const dynamicsUrl = input.dynamicsUrl.trim();
  return [
    {
      id: "posttourl",
      titleKey: "Config.Checklist.PostToUrl.Title",
      textKey: "Config.Checklist.PostToUrl.Text",
      noteKey: base ? undefined : "Config.Checklist.PostToUrl.Placeholder",
      values: [
        { labelKey: "Config.Checklist.PostToUrl.Start", value: `${service}${INTEGRATION_PATH}?event=start`, complete: base !== null },
        { labelKey: "Config.Checklist.PostToUrl.End", value: `${service}${INTEGRATION_PATH}?event=end`, complete: base !== null },
      ],
    },
    {
      id: "applicationuser",
      titleKey: "Config.Checklist.AppUser.Title",
      textKey: "Config.Checklist.AppUser.Text",
      values: [
        { labelKey: "Config.Checklist.AppUser.Role", value: SecurityNames.integrationRole, complete: true },
        { labelKey: "Config.Checklist.AppUser.DynamicsUrl", value: dynamicsUrl, complete: checkDynamicsUrl(dynamicsUrl, input.clientUrl).ok },
        { labelKey: "Config.Checklist.AppUser.TenantId", value: tenantId, complete: tenant.ok },
      ],
    },
    {
      id: "agents",
      titleKey: "Config.Checklist.Agents.Title",
      textKey: "Config.Checklist.Agents.Text",
      values: [
        { labelKey: "Config.Checklist.Agents.Role", value: SecurityNames.agentRole, complete: true },
        { labelKey: "Config.Checklist.Agents.Profile", value: SecurityNames.agentFieldProfile, complete: true },
      ],
      link: {
        labelKey: "Config.Checklist.Agents.Open",
        href: `${clientUrl}/main.aspx?pagetype=entitylist&etn=${UserSettings.entity}`,
      },
    },
  ];
}

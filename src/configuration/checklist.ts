/**
 * "What else to set up": the steps outside this page (seed: "LogMeIn Rescue configureren",
 * "Toepassingsgebruiker configureren", "Gebruikers configureren"), with the values to copy.
 *
 * The Post-to-URL address points at the integration service (`/api/integration`, DESIGN.md §8),
 * built from the service URL on the page. It is the same address for both Admin Center boxes
 * (session start and session end) and has no query string: the service tells the end of a session
 * from the data. Rescue sends HTTP Basic credentials written into the address; the page never knows
 * them, so they appear as the placeholders `<POST_USERNAME>` and `<POST_PASSWORD>`.
 */
import { SecurityNames } from "../model/security-names";
import * as UserSettings from "../model/user-settings";
import { SERVICE_PATHS } from "../settings/service-url";
import { checkDynamicsUrl, checkServiceUrl, checkTenantId, organisationUrl } from "./validation";

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
  /** RESX keys of notes shown under the values. */
  noteKeys: string[];
  values: ChecklistValue[];
  link?: { labelKey: string; href: string };
}

export interface ChecklistInput {
  /** The integration service URL as typed. */
  serviceUrl: string;
  dynamicsUrl: string;
  tenantId: string;
  clientUrl: string;
}

/** The placeholders for the service's Post-to-URL credentials, which the page never knows. */
export const POST_CREDENTIALS_PLACEHOLDER = "<POST_USERNAME>:<POST_PASSWORD>";
/** Placeholder for the service host while no valid service URL is entered. */
export const SERVICE_HOST_PLACEHOLDER = "<integration-service-host>";

/**
 * `https://<POST_USERNAME>:<POST_PASSWORD>@<service host>/api/integration` for a valid service URL
 * (complete), or with the host placeholder (not complete).
 */
export function postToUrlAddress(serviceUrl: string): ChecklistValue {
  const service = checkServiceUrl(serviceUrl);
  const host = service.ok ? new URL(service.value).host : SERVICE_HOST_PLACEHOLDER;
  return { labelKey: "Config.Checklist.PostToUrl.Url", value: `https://${POST_CREDENTIALS_PLACEHOLDER}@${host}${SERVICE_PATHS.integration}`, complete: service.ok };
}

/** The three setup steps, with values taken from what is on the page right now. */
export function buildChecklist(input: ChecklistInput): ChecklistItem[] {
  const postToUrl = postToUrlAddress(input.serviceUrl);
  const clientUrl = organisationUrl(input.clientUrl);
  const tenant = checkTenantId(input.tenantId);
  const tenantId = tenant.ok ? tenant.value : input.tenantId.trim();
  const dynamicsUrl = input.dynamicsUrl.trim();
  return [
    {
      id: "posttourl",
      titleKey: "Config.Checklist.PostToUrl.Title",
      textKey: "Config.Checklist.PostToUrl.Text",
      noteKeys: postToUrl.complete ? ["Config.Checklist.PostToUrl.Credentials"] : ["Config.Checklist.PostToUrl.NoService", "Config.Checklist.PostToUrl.Credentials"],
      values: [postToUrl],
    },
    {
      id: "applicationuser",
      titleKey: "Config.Checklist.AppUser.Title",
      textKey: "Config.Checklist.AppUser.Text",
      noteKeys: [],
      values: [
        { labelKey: "Config.Checklist.AppUser.Role", value: SecurityNames.integrationRole, complete: true },
        { labelKey: "Config.Checklist.AppUser.Profile", value: SecurityNames.integrationFieldProfile, complete: true },
        { labelKey: "Config.Checklist.AppUser.DynamicsUrl", value: dynamicsUrl, complete: checkDynamicsUrl(dynamicsUrl, input.clientUrl).ok },
        { labelKey: "Config.Checklist.AppUser.TenantId", value: tenantId, complete: tenant.ok },
      ],
    },
    {
      id: "agents",
      titleKey: "Config.Checklist.Agents.Title",
      textKey: "Config.Checklist.Agents.Text",
      noteKeys: [],
      values: [{ labelKey: "Config.Checklist.Agents.Role", value: SecurityNames.agentRole, complete: true }],
      link: {
        labelKey: "Config.Checklist.Agents.Open",
        href: `${clientUrl}/main.aspx?pagetype=entitylist&etn=${UserSettings.entity}`,
      },
    },
  ];
}

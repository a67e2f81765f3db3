import { describe, expect, it } from "vitest";
import {
  checkDraft,
  draftFromRow,
  invalidFields,
  NEW_CONFIGURATION_NAME,
  savePayload,
  ssoPasswordAfterSave,
  storedFromRow,
  type ConfigurationDraft,
} from "../../src/configuration/draft";
import { BETA_ENDPOINT, PRODUCTION_ENDPOINT } from "../../src/configuration/environments";
import { Environment } from "../../src/model/schema";
import { configurationRow, ORGANISATION_URL, SERVICE_URL, TENANT } from "./support/configuration-row";

/** The organisation the admin is signed in to (`getClientUrl()`). */
const CLIENT_URL = ORGANISATION_URL;

function validDraft(overrides: Partial<ConfigurationDraft> = {}): ConfigurationDraft {
  return { ...draftFromRow(null, CLIENT_URL), tenantId: TENANT, serviceUrl: SERVICE_URL, ...overrides };
}

describe("the draft the page opens with", () => {
  it("starts a new configuration on Production with this organisation's URL", () => {
    const draft = draftFromRow(null, CLIENT_URL);
    expect(draft).toMatchObject({ environment: Environment.Production, endpoint: PRODUCTION_ENDPOINT, serviceUrl: "", dynamicsUrl: CLIENT_URL, companyId: "", tenantId: "" });
    expect(draft.newSsoPassword).toBe("");
    expect(draft.clearSsoPassword).toBe(false);
    expect(storedFromRow(null)).toEqual({ id: null, hasSsoPassword: false });
    expect(draftFromRow(null, ` ${CLIENT_URL}/ `).dynamicsUrl, "stored without trailing slash, as the page shows it").toBe(CLIENT_URL);
  });

  it("shows a stored row's values but never its password", () => {
    const draft = draftFromRow(configurationRow(), CLIENT_URL);
    expect(draft).toMatchObject({ environment: Environment.Beta, endpoint: BETA_ENDPOINT, serviceUrl: SERVICE_URL, companyId: "123456", tenantId: TENANT, requireActiveTechConsole: true, reassignCaseOnSessionStart: true });
    expect(JSON.stringify(draft)).not.toContain("stored-secret");
    expect(storedFromRow(configurationRow())).toEqual({ id: "9a1b2c3d-0000-4000-8000-000000000001", hasSsoPassword: true });
    expect(storedFromRow(configurationRow({ ssoPassword: null })).hasSsoPassword).toBe(false);
  });

  it("fills gaps of an older row: environment from the endpoint, endpoint from the environment, the org URL", () => {
    expect(draftFromRow(configurationRow({ environment: null, endpoint: PRODUCTION_ENDPOINT }), CLIENT_URL).environment).toBe(Environment.Production);
    expect(draftFromRow(configurationRow({ environment: null, endpoint: "https://rescue.contoso.eu/API" }), CLIENT_URL).environment).toBe(Environment.Custom);
    expect(draftFromRow(configurationRow({ environment: null, endpoint: "" }), CLIENT_URL)).toMatchObject({ environment: Environment.Production, endpoint: PRODUCTION_ENDPOINT });
    expect(draftFromRow(configurationRow({ environment: Environment.Beta, endpoint: "" }), CLIENT_URL).endpoint).toBe(BETA_ENDPOINT);
    expect(draftFromRow(configurationRow({ environment: Environment.Custom, endpoint: "" }), CLIENT_URL).endpoint).toBe("");
    expect(draftFromRow(configurationRow({ dynamicsUrl: "" }), CLIENT_URL).dynamicsUrl).toBe(CLIENT_URL);
  });
});

describe("checking the draft", () => {
  it("passes a complete draft", () => {
    expect(invalidFields(checkDraft(validDraft(), storedFromRow(null)))).toEqual([]);
  });

  it("lists the invalid fields in page order", () => {
    const checks = checkDraft(validDraft({ endpoint: "http://x.example.com", companyId: "12 3", serviceUrl: "https://x.example.com/api", tenantId: "nope", environment: null }), storedFromRow(null));
    expect(invalidFields(checks)).toEqual(["environment", "endpoint", "companyId", "serviceUrl", "tenantId"]);
  });

  it("requires the integration service URL", () => {
    expect(invalidFields(checkDraft(validDraft({ serviceUrl: "" }), storedFromRow(null)))).toEqual(["serviceUrl"]);
  });

  it("needs the company id when a password is stored, typed, but not when it is cleared", () => {
    const stored = storedFromRow(configurationRow());
    expect(invalidFields(checkDraft(validDraft({ companyId: "" }), stored))).toEqual(["companyId"]);
    expect(invalidFields(checkDraft(validDraft({ companyId: "", newSsoPassword: "x" }), storedFromRow(null)))).toEqual(["companyId"]);
    expect(invalidFields(checkDraft(validDraft({ companyId: "", clearSsoPassword: true }), stored))).toEqual([]);
    expect(ssoPasswordAfterSave(validDraft({ clearSsoPassword: true, newSsoPassword: "typed" }), stored)).toBe(false);
    expect(ssoPasswordAfterSave(validDraft(), stored)).toBe(true);
    expect(ssoPasswordAfterSave(validDraft(), storedFromRow(null))).toBe(false);
  });
});

describe("what Save sends", () => {
  it("creates a row with exactly the typed values, the name and no password unless typed", () => {
    const payload = savePayload(validDraft({ companyId: " 987 ", serviceUrl: " https://Integration.contoso.com/ ", tenantId: `{${TENANT}}`, doNotPassCField1: true }), storedFromRow(null));
    expect(payload).toEqual({
      lmi_name: NEW_CONFIGURATION_NAME,
      lmi_environment: Environment.Production,
      lmi_endpoint: PRODUCTION_ENDPOINT,
      lmi_companyid: "987",
      lmi_serviceurl: SERVICE_URL,
      lmi_dynamicsurl: CLIENT_URL,
      lmi_tenantid: TENANT,
      lmi_requireactivetechconsole: false,
      lmi_closeticketonsessionend: false,
      lmi_reassigncaseonsessionstart: false,
      lmi_donotpasscfield1: true,
    });
  });

  it("sends a typed password, a cleared password as null, and nothing when it is kept", () => {
    const stored = storedFromRow(configurationRow());
    expect(savePayload(validDraft({ companyId: "1", newSsoPassword: "new secret " }), stored).lmi_ssopassword).toBe("new secret ");
    const cleared = savePayload(validDraft({ clearSsoPassword: true }), stored);
    expect("lmi_ssopassword" in cleared && cleared.lmi_ssopassword === null).toBe(true);
    const kept = savePayload(validDraft({ companyId: "1" }), stored);
    expect("lmi_ssopassword" in kept).toBe(false);
    expect("lmi_name" in kept).toBe(false);
  });

  it("sends an empty company id as null", () => {
    expect(savePayload(validDraft(), storedFromRow(null)).lmi_companyid).toBeNull();
  });

  it("refuses an invalid draft", () => {
    expect(() => savePayload(validDraft({ tenantId: "" }), storedFromRow(null))).toThrow();
  });
});

import { beforeEach, describe, expect, it, vi } from "vitest";
import { XrmMockGenerator, type FormContextMock, type UiMock } from "xrm-mock";
import { BETA_ENDPOINT, PRODUCTION_ENDPOINT } from "../../src/configuration/environments";
import { configurationFormOnEnvironmentChange, configurationFormOnLoad, NotificationIds } from "../../src/configuration/form";
import { Environment } from "../../src/model/schema";
import * as entry from "../../src/scripts/configuration.form";
import { FormType } from "../../src/xrm/form-type";
import { xrmTranslator } from "../../src/xrm/strings";
import { initXrm, resxStrings } from "../helpers/xrm";

const CLIENT_URL = "https://contoso.crm4.dynamics.com";
const TENANT = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";

interface Notification {
  uniqueId: string;
  notificationLevel: string;
  messages: string[];
  actions?: { message?: string; actions?: (() => void)[] }[];
}

interface FormValues {
  environment?: number | null;
  endpoint?: string | null;
  companyId?: string | null;
  ssoPassword?: string | null;
  serviceUrl?: string | null;
  dynamicsUrl?: string | null;
  tenantId?: string | null;
}

let form: FormContextMock;
let eventContext: Xrm.Events.EventContext;

function setUp(formType: number, values: FormValues = {}, languageId: 1033 | 1043 = 1033): void {
  const fixture = initXrm({ languageId, clientUrl: CLIENT_URL, entity: { entityName: "lmi_configuration", id: formType === FormType.Create ? "" : "{9A1B2C3D-0000-4000-8000-000000000001}" }, formType });
  form = fixture.formContext;
  eventContext = fixture.eventContext;
  XrmMockGenerator.Attribute.createOptionSet("lmi_environment", values.environment ?? undefined, [
    { text: "Production", value: Environment.Production },
    { text: "Beta", value: Environment.Beta },
    { text: "Custom", value: Environment.Custom },
  ]);
  XrmMockGenerator.Attribute.createString("lmi_endpoint", values.endpoint ?? (null as unknown as string));
  XrmMockGenerator.Attribute.createString("lmi_companyid", values.companyId ?? (null as unknown as string));
  XrmMockGenerator.Attribute.createString("lmi_ssopassword", values.ssoPassword ?? (null as unknown as string));
  XrmMockGenerator.Attribute.createString("lmi_serviceurl", values.serviceUrl ?? (null as unknown as string));
  XrmMockGenerator.Attribute.createString("lmi_dynamicsurl", values.dynamicsUrl ?? (null as unknown as string));
  XrmMockGenerator.Attribute.createString("lmi_tenantid", values.tenantId ?? (null as unknown as string));
}

function deps() {
  return { t: xrmTranslator(), clientUrl: CLIENT_URL };
}

function value(column: string): unknown {
  return form.getAttribute(column)?.getValue();
}

function type(column: string, text: string | null): void {
  const attribute = form.getAttribute(column);
  attribute?.setValue(text);
  attribute?.fireOnChange();
}

function notifications(column: string): Notification[] {
  return (form.getControl(column) as unknown as { getNotifications(): Notification[] }).getNotifications();
}

function errorText(column: string): string | undefined {
  return notifications(column).find((n) => n.uniqueId === NotificationIds.field(column))?.messages[0];
}

function requiredLevel(column: string): string {
  return (form.getAttribute(column) as unknown as { getRequiredLevel(): string }).getRequiredLevel();
}

/** Runs the OnSave handlers the script added, as the platform would; answers whether the save goes ahead. */
function save(): boolean {
  let prevented = false;
  const handlers = (form.data.entity as unknown as { saveEventHandlers: ((ctx: Xrm.Events.SaveEventContext) => void)[] }).saveEventHandlers;
  const context = {
    getEventArgs: () => ({ preventDefault: () => (prevented = true), isDefaultPrevented: () => prevented }),
    getFormContext: () => form,
  } as unknown as Xrm.Events.SaveEventContext;
  for (const handler of handlers) handler(context);
  return !prevented;
}

function formNotifications(): { message: string; level: string; uniqueId: string }[] {
  return (form.ui as unknown as UiMock).formNotifications ?? [];
}

const en = (key: string) => resxStrings(1033).get(key);
const nl = (key: string) => resxStrings(1043).get(key);

describe("configuration form: OnLoad", () => {
  beforeEach(() => setUp(FormType.Create));

  it("prefills a new record: Production, its endpoint and this organisation's URL", () => {
    configurationFormOnLoad(form, deps());
    expect(value("lmi_environment")).toBe(Environment.Production);
    expect(value("lmi_endpoint")).toBe(PRODUCTION_ENDPOINT);
    expect(value("lmi_dynamicsurl")).toBe(CLIENT_URL);
    expect(value("lmi_tenantid")).toBeNull();
    expect(errorText("lmi_tenantid")).toBeUndefined();
  });

  it("makes environment, endpoint, integration service URL, Dynamics URL and tenant id required", () => {
    configurationFormOnLoad(form, deps());
    for (const column of ["lmi_environment", "lmi_endpoint", "lmi_serviceurl", "lmi_dynamicsurl", "lmi_tenantid"]) expect(requiredLevel(column), column).toBe("required");
    expect(requiredLevel("lmi_companyid")).toBe("none");
  });

  it("keeps what a new record already has", () => {
    setUp(FormType.Create, { environment: Environment.Beta, endpoint: "https://rescue.contoso.eu/API", dynamicsUrl: "https://other.crm.dynamics.com" });
    configurationFormOnLoad(form, deps());
    expect(value("lmi_environment")).toBe(Environment.Beta);
    expect(value("lmi_endpoint")).toBe("https://rescue.contoso.eu/API");
    expect(value("lmi_dynamicsurl")).toBe("https://other.crm.dynamics.com");
  });

  it("fills in the Beta endpoint on a new record that starts on Beta", () => {
    setUp(FormType.Create, { environment: Environment.Beta });
    configurationFormOnLoad(form, deps());
    expect(value("lmi_endpoint")).toBe(BETA_ENDPOINT);
  });

  it("leaves an existing record's values alone but shows the problems of stored values", () => {
    setUp(FormType.Update, { environment: Environment.Custom, endpoint: "http://rescue.contoso.eu/API", companyId: "12-34", tenantId: TENANT, dynamicsUrl: CLIENT_URL }, 1043);
    configurationFormOnLoad(form, deps());
    expect(value("lmi_endpoint")).toBe("http://rescue.contoso.eu/API");
    expect(errorText("lmi_endpoint")).toBe(nl("Config.Error.UrlHttp"));
    expect(errorText("lmi_companyid")).toBe(nl("Config.Error.CompanyIdDigits"));
    expect(errorText("lmi_tenantid")).toBeUndefined();
  });

  it("does nothing on the bulk edit form", () => {
    setUp(FormType.BulkEdit);
    configurationFormOnLoad(form, deps());
    expect(value("lmi_endpoint")).toBeNull();
    expect(requiredLevel("lmi_endpoint")).toBe("none");
  });

  it("adds its handlers once, however often OnLoad runs", () => {
    configurationFormOnLoad(form, deps());
    configurationFormOnLoad(form, deps());
    const handlers = (form.getAttribute("lmi_tenantid") as unknown as { eventHandlers: unknown[] }).eventHandlers;
    expect(handlers).toHaveLength(1);
    expect((form.data.entity as unknown as { saveEventHandlers: unknown[] }).saveEventHandlers).toHaveLength(1);
  });
});

describe("configuration form: environment", () => {
  beforeEach(() => {
    setUp(FormType.Update, { environment: Environment.Production, endpoint: PRODUCTION_ENDPOINT, tenantId: TENANT, dynamicsUrl: CLIENT_URL });
    configurationFormOnLoad(form, deps());
  });

  it("prefills the endpoint for Production and Beta and keeps it for Custom", () => {
    form.getAttribute("lmi_environment")?.setValue(Environment.Beta);
    configurationFormOnEnvironmentChange(form, deps());
    expect(value("lmi_endpoint")).toBe(BETA_ENDPOINT);

    form.getAttribute("lmi_environment")?.setValue(Environment.Custom);
    configurationFormOnEnvironmentChange(form, deps());
    expect(value("lmi_endpoint")).toBe(BETA_ENDPOINT);
    type("lmi_endpoint", "https://rescue.contoso.eu/API");

    form.getAttribute("lmi_environment")?.setValue(Environment.Custom);
    configurationFormOnEnvironmentChange(form, deps());
    expect(value("lmi_endpoint")).toBe("https://rescue.contoso.eu/API");

    form.getAttribute("lmi_environment")?.setValue(Environment.Production);
    configurationFormOnEnvironmentChange(form, deps());
    expect(value("lmi_endpoint")).toBe(PRODUCTION_ENDPOINT);
  });

  it("clears an endpoint problem once the environment prefills a good one", () => {
    type("lmi_endpoint", "http://old.example.com");
    expect(errorText("lmi_endpoint")).toBe(en("Config.Error.UrlHttp"));
    form.getAttribute("lmi_environment")?.setValue(Environment.Production);
    configurationFormOnEnvironmentChange(form, deps());
    expect(errorText("lmi_endpoint")).toBeUndefined();
  });
});

describe("configuration form: field checks as values change", () => {
  beforeEach(() => {
    setUp(FormType.Update, { environment: Environment.Production, endpoint: PRODUCTION_ENDPOINT, tenantId: TENANT, dynamicsUrl: CLIENT_URL });
    configurationFormOnLoad(form, deps());
  });

  it("shows a message on the control and clears it when fixed", () => {
    type("lmi_tenantid", "not-a-guid");
    expect(errorText("lmi_tenantid")).toBe(en("Config.Error.TenantIdFormat"));
    type("lmi_tenantid", `  {${TENANT.toUpperCase()}} `);
    expect(errorText("lmi_tenantid")).toBeUndefined();
    expect(value("lmi_tenantid")).toBe(TENANT);
  });

  it("trims URLs and company ids, rejects http: and letters", () => {
    type("lmi_endpoint", "  https://rescue.contoso.eu/API ");
    expect(value("lmi_endpoint")).toBe("https://rescue.contoso.eu/API");
    type("lmi_endpoint", "http://rescue.contoso.eu/API");
    expect(errorText("lmi_endpoint")).toBe(en("Config.Error.UrlHttp"));
    type("lmi_companyid", " 42 ");
    expect(value("lmi_companyid")).toBe("42");
    type("lmi_companyid", "42a");
    expect(errorText("lmi_companyid")).toBe(en("Config.Error.CompanyIdDigits"));
  });

  it("reduces the integration service URL to its root and refuses a path, http and credentials", () => {
    type("lmi_serviceurl", "  https://Integration.Contoso.com/ ");
    expect(value("lmi_serviceurl")).toBe("https://integration.contoso.com");
    expect(errorText("lmi_serviceurl")).toBeUndefined();
    type("lmi_serviceurl", "https://integration.contoso.com/api/integration");
    expect(errorText("lmi_serviceurl")).toBe(en("Config.Error.ServiceUrlPath")?.replace("{0}", "https://integration.contoso.com"));
    type("lmi_serviceurl", "http://integration.contoso.com");
    expect(errorText("lmi_serviceurl")).toBe(en("Config.Error.UrlHttp"));
    type("lmi_serviceurl", "https://rescue:pw@integration.contoso.com");
    expect(errorText("lmi_serviceurl")).toBe(en("Config.Error.UrlCredentials"));
    type("lmi_serviceurl", "https://integration.contoso.com");
    expect(errorText("lmi_serviceurl")).toBeUndefined();
  });

  it("leaves empty required columns to the platform", () => {
    type("lmi_tenantid", null);
    expect(errorText("lmi_tenantid")).toBeUndefined();
  });

  it("needs a company id once an SSO password is there, and never rewrites the password", () => {
    type("lmi_ssopassword", "  secret with spaces ");
    expect(value("lmi_ssopassword")).toBe("  secret with spaces ");
    expect(requiredLevel("lmi_companyid")).toBe("required");
    expect(errorText("lmi_companyid")).toBe(en("Config.Error.CompanyIdNeeded"));
    type("lmi_companyid", "123");
    expect(errorText("lmi_companyid")).toBeUndefined();
    type("lmi_companyid", null);
    type("lmi_ssopassword", null);
    expect(requiredLevel("lmi_companyid")).toBe("none");
    expect(errorText("lmi_companyid")).toBeUndefined();
  });

  it("recommends this organisation's URL for another organisation, and applies it", () => {
    type("lmi_dynamicsurl", "https://contoso-test.crm4.dynamics.com");
    const recommendation = notifications("lmi_dynamicsurl").find((n) => n.uniqueId === NotificationIds.dynamicsUrlMismatch);
    expect(recommendation?.notificationLevel).toBe("RECOMMENDATION");
    expect(recommendation?.messages[0]).toBe(en("Config.Form.MismatchTitle"));
    expect((recommendation?.messages[0] ?? "").length).toBeLessThanOrEqual(50);
    expect(recommendation?.actions?.[0]?.message).toBe(en("Config.Form.MismatchAction")?.replace("{0}", CLIENT_URL));
    recommendation?.actions?.[0]?.actions?.forEach((action) => action());
    expect(value("lmi_dynamicsurl")).toBe(CLIENT_URL);
    expect(notifications("lmi_dynamicsurl").find((n) => n.uniqueId === NotificationIds.dynamicsUrlMismatch)).toBeUndefined();
  });

  it("does not recommend anything for the same organisation written differently", () => {
    type("lmi_dynamicsurl", "https://CONTOSO.crm4.dynamics.com/");
    expect(notifications("lmi_dynamicsurl")).toEqual([]);
  });
});

describe("configuration form: save", () => {
  beforeEach(() => {
    setUp(FormType.Update, { environment: Environment.Production, endpoint: PRODUCTION_ENDPOINT, tenantId: TENANT, dynamicsUrl: CLIENT_URL }, 1043);
    configurationFormOnLoad(form, deps());
  });

  it("lets a valid record be saved", () => {
    expect(save()).toBe(true);
    expect(formNotifications()).toEqual([]);
  });

  it("checks the integration service URL on save too (a value set without OnChange)", () => {
    form.getAttribute("lmi_serviceurl")?.setValue("https://integration.contoso.com/api");
    expect(save()).toBe(false);
    expect(errorText("lmi_serviceurl")).toBe(nl("Config.Error.ServiceUrlPath")?.replace("{0}", "https://integration.contoso.com"));
    type("lmi_serviceurl", "https://integration.contoso.com/");
    expect(save()).toBe(true);
    expect(value("lmi_serviceurl")).toBe("https://integration.contoso.com");
  });

  it("blocks saving while a field is wrong, with a form notification, and lifts it when fixed", () => {
    form.getAttribute("lmi_tenantid")?.setValue("{broken");
    expect(save()).toBe(false);
    expect(errorText("lmi_tenantid")).toBe(nl("Config.Error.TenantIdFormat"));
    expect(formNotifications()).toEqual([{ message: nl("Config.Form.Invalid"), level: "ERROR", uniqueId: NotificationIds.formInvalid }]);
    type("lmi_tenantid", TENANT);
    expect(formNotifications()).toEqual([]);
    expect(save()).toBe(true);
  });
});

describe("configuration form entry points (LogMeInRescue.Configuration.Form)", () => {
  it("exports exactly the registered handlers", () => {
    expect(Object.keys(entry).sort()).toEqual(["onEnvironmentChange", "onLoad"]);
  });

  it("onLoad and onEnvironmentChange work from the execution context", async () => {
    setUp(FormType.Create);
    await entry.onLoad(eventContext);
    expect(value("lmi_endpoint")).toBe(PRODUCTION_ENDPOINT);
    expect(value("lmi_dynamicsurl")).toBe(CLIENT_URL);
    form.getAttribute("lmi_environment")?.setValue(Environment.Beta);
    await entry.onEnvironmentChange(eventContext);
    expect(value("lmi_endpoint")).toBe(BETA_ENDPOINT);
  });

  it("reports a failure as a form notification instead of a script error", async () => {
    setUp(FormType.Create);
    vi.spyOn(Xrm.Utility, "getGlobalContext").mockImplementation(() => {
      throw new Error("context unavailable");
    });
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    await expect(entry.onLoad(eventContext)).resolves.toBeUndefined();
    expect(formNotifications()[0]).toMatchObject({ level: "WARNING", uniqueId: "lmi.config.scriptfailed" });
    expect(formNotifications()[0]?.message).toContain("context unavailable");
  });
});

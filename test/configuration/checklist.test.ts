import { describe, expect, it } from "vitest";
import { buildChecklist, postToUrlAddress, SERVICE_HOST_PLACEHOLDER } from "../../src/configuration/checklist";
import { resxStrings } from "../helpers/xrm";

const input = {
  serviceUrl: "https://integration.contoso.com",
  dynamicsUrl: "https://contoso.crm4.dynamics.com",
  tenantId: "{3f2504e0-4f89-11d3-9a0c-0305e82c3301}",
  clientUrl: "https://contoso.crm4.dynamics.com/",
};

describe("setup checklist", () => {
  it("builds one Post-to-URL address for both Admin Center boxes from the service URL, with credential placeholders and no query string", () => {
    const [postToUrl] = buildChecklist(input);
    expect(postToUrl?.values).toEqual([
      { labelKey: "Config.Checklist.PostToUrl.Url", value: "https://<POST_USERNAME>:<POST_PASSWORD>@integration.contoso.com/api/integration", complete: true },
    ]);
    expect(postToUrl?.values[0]?.value).not.toContain("?");
    expect(postToUrl?.noteKeys).toEqual(["Config.Checklist.PostToUrl.Credentials"]);
  });

  it("keeps the port, tolerates a trailing slash and lower-cases the host", () => {
    expect(postToUrlAddress("https://Integration.Contoso.com:8443/").value).toBe("https://<POST_USERNAME>:<POST_PASSWORD>@integration.contoso.com:8443/api/integration");
  });

  it.each(["", "http://integration.contoso.com", "https://integration.contoso.com/api", "not a url", "https://user:secret@integration.contoso.com"])(
    "shows the host placeholder, no copy button and says what to enter while the service URL is %j",
    (serviceUrl) => {
      const [postToUrl] = buildChecklist({ ...input, serviceUrl });
      expect(postToUrl?.values).toEqual([
        { labelKey: "Config.Checklist.PostToUrl.Url", value: `https://<POST_USERNAME>:<POST_PASSWORD>@${SERVICE_HOST_PLACEHOLDER}/api/integration`, complete: false },
      ]);
      expect(postToUrl?.noteKeys).toEqual(["Config.Checklist.PostToUrl.NoService", "Config.Checklist.PostToUrl.Credentials"]);
      expect(JSON.stringify(postToUrl)).not.toContain("secret");
    },
  );

  it("gives the application user the integration role and the integration field security profile; agents only their role", () => {
    const [, appUser, agents] = buildChecklist(input);
    expect(appUser?.values.map((v) => [v.labelKey, v.value])).toEqual([
      ["Config.Checklist.AppUser.Role", "LogMeIn Integration User"],
      ["Config.Checklist.AppUser.Profile", "LogMeIn Rescue Integration"],
      ["Config.Checklist.AppUser.DynamicsUrl", "https://contoso.crm4.dynamics.com"],
      ["Config.Checklist.AppUser.TenantId", "3f2504e0-4f89-11d3-9a0c-0305e82c3301"],
    ]);
    expect(agents?.values.map((v) => v.value)).toEqual(["LogMeIn Rescue Agent"]);
    expect(agents?.link?.href).toBe("https://contoso.crm4.dynamics.com/main.aspx?pagetype=entitylist&etn=lmi_usersettings");
    expect(appUser?.values.every((v) => v.complete)).toBe(true);
    const empty = buildChecklist({ ...input, tenantId: "" })[1];
    expect(empty?.values[3]).toMatchObject({ value: "", complete: false });
    const invalid = buildChecklist({ ...input, tenantId: "not-a-guid", dynamicsUrl: "http://elsewhere.example.com" })[1];
    expect(invalid?.values[2]).toMatchObject({ value: "http://elsewhere.example.com", complete: false });
    expect(invalid?.values[3]).toMatchObject({ value: "not-a-guid", complete: false });
  });

  it("tells the admin about the field security profile for the application user, and no agent profile", () => {
    for (const lcid of [1033, 1043] as const) {
      const strings = resxStrings(lcid);
      expect(strings.get("Config.Checklist.AppUser.Text")).toMatch(lcid === 1033 ? /field security profile/ : /veldbeveiligingsprofiel/);
      expect(strings.get("Config.Checklist.Agents.Text")).toMatch(lcid === 1033 ? /no field security profile/ : /geen veldbeveiligingsprofiel/);
      expect(strings.get("Config.Checklist.PostToUrl.Text")).toMatch(lcid === 1033 ? /both boxes/ : /beide vakken/);
    }
  });

  it("has its texts in both languages", () => {
    for (const serviceUrl of [input.serviceUrl, ""]) {
      for (const item of buildChecklist({ ...input, serviceUrl })) {
        const keys = [item.titleKey, item.textKey, ...item.values.map((v) => v.labelKey), ...item.noteKeys, ...(item.link ? [item.link.labelKey] : [])];
        for (const lcid of [1033, 1043] as const) for (const key of keys) expect(resxStrings(lcid).get(key), key).toBeTruthy();
      }
    }
  });
});

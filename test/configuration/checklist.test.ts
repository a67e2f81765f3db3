import { describe, expect, it } from "vitest";
import { buildChecklist, integrationServiceBase, SERVICE_PLACEHOLDER } from "../../src/configuration/checklist";
import { resxStrings } from "../helpers/xrm";

const input = { endpoint: "https://secure.logmeinrescue.com/API", dynamicsUrl: "https://contoso.crm4.dynamics.com", tenantId: "{3f2504e0-4f89-11d3-9a0c-0305e82c3301}", clientUrl: "https://contoso.crm4.dynamics.com/" };

describe("setup checklist", () => {
  it("knows the integration service when the endpoint is its relay", () => {
    expect(integrationServiceBase("https://rescue.contoso.com/api/rescue")).toBe("https://rescue.contoso.com");
    expect(integrationServiceBase("https://rescue.contoso.com/lmi/api/rescue/")).toBe("https://rescue.contoso.com/lmi");
    expect(integrationServiceBase("https://Rescue.Contoso.com:8443/API/Rescue")).toBe("https://rescue.contoso.com:8443");
    expect(integrationServiceBase("https://secure.logmeinrescue.com/API")).toBeNull();
    expect(integrationServiceBase("http://rescue.contoso.com/api/rescue")).toBeNull();
    expect(integrationServiceBase("nonsense")).toBeNull();
  });

  it("gives complete Post-to-URL addresses for the relay and placeholders otherwise", () => {
    const relay = buildChecklist({ ...input, endpoint: "https://rescue.contoso.com/api/rescue" })[0];
    expect(relay?.values.map((v) => [v.value, v.complete])).toEqual([
      ["https://rescue.contoso.com/api/integration?event=start", true],
      ["https://rescue.contoso.com/api/integration?event=end", true],
    ]);
    expect(relay?.noteKey).toBeUndefined();
    const direct = buildChecklist(input)[0];
    expect(direct?.values.every((v) => v.value.startsWith(SERVICE_PLACEHOLDER) && !v.complete)).toBe(true);
    expect(direct?.noteKey).toBe("Config.Checklist.PostToUrl.Placeholder");
  });

  it("lists the roles, the org URL and the tenant id (braces removed) to copy", () => {
    const [, appUser, agents] = buildChecklist(input);
    expect(appUser?.values.map((v) => v.value)).toEqual(["LogMeIn Integration User", "https://contoso.crm4.dynamics.com", "3f2504e0-4f89-11d3-9a0c-0305e82c3301"]);
    expect(agents?.values.map((v) => v.value)).toEqual(["LogMeIn Rescue Agent", "LogMeIn Rescue Agent"]);
    expect(agents?.link?.href).toBe("https://contoso.crm4.dynamics.com/main.aspx?pagetype=entitylist&etn=lmi_usersettings");
    expect(appUser?.values.every((v) => v.complete)).toBe(true);
    const empty = buildChecklist({ ...input, tenantId: "" })[1];
    expect(empty?.values[2]).toMatchObject({ value: "", complete: false });
    const invalid = buildChecklist({ ...input, tenantId: "not-a-guid", dynamicsUrl: "http://elsewhere.example.com" })[1];
    expect(invalid?.values[1]).toMatchObject({ value: "http://elsewhere.example.com", complete: false });
    expect(invalid?.values[2]).toMatchObject({ value: "not-a-guid", complete: false });
  });

  it("has its texts in both languages", () => {
    for (const item of buildChecklist(input)) {
      const keys = [item.titleKey, item.textKey, ...item.values.map((v) => v.labelKey), ...(item.noteKey ? [item.noteKey] : []), ...(item.link ? [item.link.labelKey] : [])];
      for (const lcid of [1033, 1043] as const) for (const key of keys) expect(resxStrings(lcid).get(key), key).toBeTruthy();
    }
  });
});

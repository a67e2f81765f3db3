import { describe, expect, it } from "vitest";
import {
  checkCompanyId,
  checkDynamicsUrl,
  checkEndpoint,
  checkEnvironment,
  checkServiceUrl,
  checkSsoPassword,
  checkTenantId,
  comparableOrganisationUrl,
  isRequiredProblem,
  sameOrganisation,
  type FieldCheck,
} from "../../src/configuration/validation";
import { resxStrings } from "../helpers/xrm";

function problemKey(check: FieldCheck<unknown>): string | null {
  return check.ok ? null : check.problem.key;
}

/** What the check answers for each input of `expected` (input → problem key, null for a valid value), to compare with it. */
function problemKeysFor(check: (raw: string) => FieldCheck<unknown>, expected: Readonly<Record<string, string | null>>): Record<string, string | null> {
  return Object.fromEntries(Object.keys(expected).map((input) => [input, problemKey(check(input))]));
}

function value(check: FieldCheck<unknown>): unknown {
  if (!check.ok) throw new Error(`expected a valid value, got ${check.problem.key}`);
  return check.value;
}

describe("environment", () => {
  it("accepts the three choices and asks for one otherwise", () => {
    expect(value(checkEnvironment(645100000))).toBe(645100000);
    expect(value(checkEnvironment(645100001))).toBe(645100001);
    expect(value(checkEnvironment(645100002))).toBe(645100002);
    expect(problemKey(checkEnvironment(null))).toBe("Config.Error.EnvironmentRequired");
    expect(problemKey(checkEnvironment(undefined))).toBe("Config.Error.EnvironmentRequired");
    expect(problemKey(checkEnvironment(42))).toBe("Config.Error.EnvironmentRequired");
  });
});

describe.each([
  ["endpoint", checkEndpoint, 400],
  ["Dynamics URL", checkDynamicsUrl, 400],
] as const)("%s (https URL)", (_name, check, maxLength) => {
  it("accepts https addresses, trimmed, with or without a path or trailing slash", () => {
    expect(value(check("https://secure.logmeinrescue.com/API"))).toBe("https://secure.logmeinrescue.com/API");
    expect(value(check("  https://contoso.crm4.dynamics.com/  "))).toBe("https://contoso.crm4.dynamics.com/");
    expect(value(check("HTTPS://rescue.contoso.eu:8443/API"))).toBe("HTTPS://rescue.contoso.eu:8443/API");
    expect(value(check("https://server.contoso.local/org1"))).toBe("https://server.contoso.local/org1");
  });

  it("requires a value (spaces only count as empty)", () => {
    expect(problemKey(check(""))).toBe("Config.Error.Required");
    expect(problemKey(check("   "))).toBe("Config.Error.Required");
    expect(isRequiredProblem(check(""))).toBe(true);
  });

  it("rejects http: with its own message", () => {
    expect(problemKey(check("http://secure.logmeinrescue.com/API"))).toBe("Config.Error.UrlHttp");
    expect(problemKey(check("HTTP://contoso.crm.dynamics.com"))).toBe("Config.Error.UrlHttp");
  });

  it("suggests https:// for an address without a scheme or with another scheme", () => {
    const bare = check("secure.logmeinrescue.com/API");
    expect(problemKey(bare)).toBe("Config.Error.UrlNoScheme");
    expect(bare.ok ? [] : bare.problem.args).toEqual(["https://secure.logmeinrescue.com/API"]);
    const ftp = check("ftp://secure.logmeinrescue.com/API");
    expect(problemKey(ftp)).toBe("Config.Error.UrlNoScheme");
    expect(ftp.ok ? [] : ftp.problem.args).toEqual(["https://secure.logmeinrescue.com/API"]);
    expect(problemKey(check("contoso.crm4.dynamics.com:443"))).toBe("Config.Error.UrlNoScheme");
  });

  it("rejects things that are not web addresses", () => {
    const expected = {
      "not a url": "Config.Error.UrlSpaces",
      "https://secure.logmeinrescue .com/API": "Config.Error.UrlSpaces",
      localhost: "Config.Error.UrlInvalid",
      "https:/secure.logmeinrescue.com": "Config.Error.UrlInvalid",
      "https://": "Config.Error.UrlInvalid",
      "https://exa mple.com": "Config.Error.UrlSpaces",
    };
    expect(problemKeysFor(check, expected)).toEqual(expected);
  });

  it("rejects credentials, query strings and fragments (secrets never go in this URL)", () => {
    const expected = {
      "https://user:secret@rescue.contoso.eu/API": "Config.Error.UrlCredentials",
      "https://user@rescue.contoso.eu/API": "Config.Error.UrlCredentials",
      "https://rescue.contoso.eu/API?key=1": "Config.Error.UrlQuery",
      "https://rescue.contoso.eu/API?": "Config.Error.UrlQuery",
      "https://contoso.crm.dynamics.com/#main": "Config.Error.UrlQuery",
    };
    expect(problemKeysFor(check, expected)).toEqual(expected);
  });

  it(`allows at most ${maxLength} characters`, () => {
    const base = "https://rescue.contoso.eu/";
    expect(value(check(base + "a".repeat(maxLength - base.length)))).toHaveLength(maxLength);
    const tooLong = check(base + "a".repeat(maxLength - base.length + 1));
    expect(problemKey(tooLong)).toBe("Config.Error.TooLong");
    expect(tooLong.ok ? [] : tooLong.problem.args).toEqual([maxLength]);
  });
});

describe("integration service URL", () => {
  it("accepts an https root, trimmed, and stores its origin: trailing slash dropped, scheme and host lower case, port kept", () => {
    expect(value(checkServiceUrl("https://integration.contoso.com"))).toBe("https://integration.contoso.com");
    expect(value(checkServiceUrl("  https://integration.contoso.com/  "))).toBe("https://integration.contoso.com");
    expect(value(checkServiceUrl("https://integration.contoso.com//"))).toBe("https://integration.contoso.com");
    expect(value(checkServiceUrl("HTTPS://Integration.Contoso.com:8443/"))).toBe("https://integration.contoso.com:8443");
  });

  it("refuses a path beyond the root and suggests the root", () => {
    const withPath = checkServiceUrl("https://integration.contoso.com/api/integration");
    expect(withPath).toEqual({ ok: false, problem: { key: "Config.Error.ServiceUrlPath", args: ["https://integration.contoso.com"] } });
    expect(problemKey(checkServiceUrl("https://integration.contoso.com/lmi/"))).toBe("Config.Error.ServiceUrlPath");
  });

  it("refuses http, credentials, a query string and a fragment, each with its own message", () => {
    const expected = {
      "http://integration.contoso.com": "Config.Error.UrlHttp",
      "http://127.0.0.1:8080": "Config.Error.UrlHttp",
      "https://rescue:secret@integration.contoso.com": "Config.Error.UrlCredentials",
      "https://integration.contoso.com/?event=start": "Config.Error.UrlQuery",
      "https://integration.contoso.com#x": "Config.Error.UrlQuery",
      "integration.contoso.com": "Config.Error.UrlNoScheme",
      integration: "Config.Error.UrlInvalid",
    };
    expect(problemKeysFor(checkServiceUrl, expected)).toEqual(expected);
  });

  it("is required and at most 400 characters", () => {
    expect(problemKey(checkServiceUrl(" "))).toBe("Config.Error.Required");
    expect(problemKey(checkServiceUrl(`https://${"a".repeat(390)}.example.com`))).toBe("Config.Error.TooLong");
  });
});

describe("Dynamics URL of an on-premises organisation over http", () => {
  it("accepts http only for the current organisation's own URL", () => {
    expect(value(checkDynamicsUrl("http://crm.contoso.local/Org1", "http://crm.contoso.local/org1/"))).toBe("http://crm.contoso.local/Org1");
    expect(problemKey(checkDynamicsUrl("http://crm.contoso.local/org2", "http://crm.contoso.local/org1"))).toBe("Config.Error.UrlHttp");
    expect(problemKey(checkDynamicsUrl("http://contoso.crm4.dynamics.com", "https://contoso.crm4.dynamics.com"))).toBe("Config.Error.UrlHttp");
    expect(problemKey(checkDynamicsUrl("http://crm.contoso.local/org1?x=1", "http://crm.contoso.local/org1"))).toBe("Config.Error.UrlQuery");
    expect(problemKey(checkDynamicsUrl("http://user:pw@crm.contoso.local/org1", "http://crm.contoso.local/org1"))).toBe("Config.Error.UrlCredentials");
  });

  it("never accepts http for the endpoint", () => {
    expect(problemKey(checkEndpoint("http://127.0.0.1:8080/API"))).toBe("Config.Error.UrlHttp");
  });
});

describe("company id", () => {
  it("accepts digits, trimmed", () => {
    expect(value(checkCompanyId("123456", false))).toBe("123456");
    expect(value(checkCompanyId(" 0042 ", true))).toBe("0042");
  });

  it("is optional without an SSO password and needed with one", () => {
    expect(value(checkCompanyId("", false))).toBe("");
    expect(value(checkCompanyId("  ", false))).toBe("");
    expect(problemKey(checkCompanyId("", true))).toBe("Config.Error.CompanyIdNeeded");
  });

  it("rejects anything but ASCII digits", () => {
    for (const bad of ["12 34", "12-34", "abc", "12.5", "-1", "+31", "١٢٣", "１２３", "12a"]) {
      expect(problemKey(checkCompanyId(bad, false)), bad).toBe("Config.Error.CompanyIdDigits");
    }
  });

  it("allows at most 20 digits", () => {
    expect(value(checkCompanyId("1".repeat(20), false))).toBe("1".repeat(20));
    expect(problemKey(checkCompanyId("1".repeat(21), false))).toBe("Config.Error.TooLong");
  });
});

describe("SSO password (a replacement as typed)", () => {
  it("keeps the value exactly, spaces included", () => {
    expect(value(checkSsoPassword(" pa ss "))).toBe(" pa ss ");
    expect(value(checkSsoPassword(""))).toBe("");
  });

  it("allows at most 200 characters", () => {
    expect(value(checkSsoPassword("x".repeat(200)))).toHaveLength(200);
    expect(problemKey(checkSsoPassword("x".repeat(201)))).toBe("Config.Error.TooLong");
  });
});

describe("tenant id", () => {
  const guid = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";

  it("accepts a GUID as people paste it and stores it in the product's form for ids: trimmed, without braces, lower case", () => {
    expect(value(checkTenantId(guid))).toBe(guid);
    expect(value(checkTenantId(`  ${guid}\t`))).toBe(guid);
    expect(value(checkTenantId(`{${guid}}`))).toBe(guid);
    expect(value(checkTenantId(` { ${guid} } `))).toBe(guid);
    expect(value(checkTenantId(guid.toUpperCase()))).toBe(guid);
    expect(value(checkTenantId(`{${guid.toUpperCase()}}`))).toBe(guid);
  });

  it("requires a value", () => {
    expect(problemKey(checkTenantId(""))).toBe("Config.Error.Required");
    expect(problemKey(checkTenantId("{}"))).toBe("Config.Error.TenantIdFormat");
  });

  it("rejects what is not a hyphenated GUID", () => {
    for (const bad of [
      guid.replace(/-/g, ""),
      `{${guid}`,
      `${guid}}`,
      `(${guid})`,
      guid.slice(1),
      `${guid}0`,
      guid.replace("f", "g"),
      "contoso.onmicrosoft.com",
      `${guid} ${guid}`,
    ]) {
      expect(problemKey(checkTenantId(bad)), bad).toBe("Config.Error.TenantIdFormat");
    }
  });

  it("rejects the empty GUID", () => {
    expect(problemKey(checkTenantId("00000000-0000-0000-0000-000000000000"))).toBe("Config.Error.TenantIdEmpty");
  });
});

describe("same organisation", () => {
  it("ignores case, a trailing slash and surrounding spaces", () => {
    expect(sameOrganisation("https://Contoso.crm4.dynamics.com/", "https://contoso.crm4.dynamics.com")).toBe(true);
    expect(sameOrganisation(" https://contoso.crm4.dynamics.com ", "https://contoso.crm4.dynamics.com/")).toBe(true);
    expect(sameOrganisation("https://server/Org1/", "https://server/org1")).toBe(true);
  });

  it("tells other organisations apart", () => {
    expect(sameOrganisation("https://contoso-test.crm4.dynamics.com", "https://contoso.crm4.dynamics.com")).toBe(false);
    expect(sameOrganisation("https://server/org2", "https://server/org1")).toBe(false);
    expect(sameOrganisation("https://contoso.crm4.dynamics.com:8443", "https://contoso.crm4.dynamics.com")).toBe(false);
    expect(comparableOrganisationUrl("not a url/")).toBe("not a url");
  });
});

describe("messages", () => {
  it("exist in English and Dutch for every problem a rule can report", () => {
    const keys = [
      "Config.Error.Required",
      "Config.Error.TooLong",
      "Config.Error.EnvironmentRequired",
      "Config.Error.UrlSpaces",
      "Config.Error.UrlHttp",
      "Config.Error.UrlNoScheme",
      "Config.Error.UrlInvalid",
      "Config.Error.UrlCredentials",
      "Config.Error.UrlQuery",
      "Config.Error.ServiceUrlPath",
      "Config.Error.CompanyIdNeeded",
      "Config.Error.CompanyIdDigits",
      "Config.Error.TenantIdFormat",
      "Config.Error.TenantIdEmpty",
    ];
    for (const lcid of [1033, 1043] as const) {
      for (const key of keys) expect(resxStrings(lcid).get(key), `${key} (${lcid})`).toBeTruthy();
    }
  });
});

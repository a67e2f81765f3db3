/**
 * Each semantic check catches what it is for: one mutation of the real built package per case,
 * with the problem it must produce.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { checkPackage, loadLibrary, type SolutionPackage } from "../../src/packaging/checks";
import { formatProblem, type BuildProblem } from "../../src/packaging/problems";
import { buildIntoTemp, type BuiltSolution } from "../helpers/built-package";

let built: BuiltSolution;

beforeAll(async () => {
  built = await buildIntoTemp();
});

function mutate(change: Partial<SolutionPackage> | ((pkg: SolutionPackage) => Partial<SolutionPackage>)): readonly BuildProblem[] {
  const pkg = built.managed;
  const changes = typeof change === "function" ? change(pkg) : change;
  return checkPackage({ ...pkg, ...changes });
}

function replaceOnce(text: string, from: string | RegExp, to: string): string {
  const changed = text.replace(from, to);
  if (changed === text) throw new Error(`test setup: ${String(from)} not found`);
  return changed;
}

const messages = (problems: readonly BuildProblem[]): string[] => problems.map((problem) => formatProblem(problem));

/** `xml` with the first match of `element` written twice, one after the other. */
function twice(xml: string, element: RegExp): string {
  const found = element.exec(xml)?.[0];
  if (!found) throw new Error(`test setup: ${String(element)} not found`);
  return xml.replace(found, () => `${found}${found}`);
}

/** The package with one part's text changed (a web resource, by the start of its zip entry name). */
function withPart(pkg: SolutionPackage, entryStart: string, change: (text: string) => string): Partial<SolutionPackage> {
  const entry = [...pkg.parts.keys()].find((name) => name.startsWith(entryStart));
  if (!entry) throw new Error(`test setup: no part ${entryStart}`);
  const parts = new Map(pkg.parts);
  parts.set(entry, new TextEncoder().encode(change(new TextDecoder().decode(pkg.parts.get(entry)))));
  return { parts };
}

describe("semantic checks", () => {
  it("find nothing in the real package", () => {
    expect(messages(checkPackage(built.managed))).toEqual([]);
  });

  it("catch a $webresource: reference to a missing web resource", () => {
    const problems = mutate((pkg) => ({ customizationsXml: replaceOnce(pkg.customizationsXml, "$webresource:lmi_/images/requestpin.svg", "$webresource:lmi_/images/missing.svg") }));
    expect(messages(problems)).toContain('customizations.xml: "$webresource:lmi_/images/missing.svg" refers to a web resource that is not in this solution');
  });

  it("catch a form handler whose function the library does not define", () => {
    const problems = mutate((pkg) => ({ customizationsXml: replaceOnce(pkg.customizationsXml, 'functionName="LogMeInRescue.Configuration.Form.onLoad"', 'functionName="LogMeInRescue.Configuration.Form.onload"') }));
    expect(messages(problems).join("\n")).toContain('function "LogMeInRescue.Configuration.Form.onload" is not defined by "lmi_/scripts/configuration.form.js"');
  });

  it("catch a $LocLabels: id without a label", () => {
    const problems = mutate((pkg) => ({ customizationsXml: replaceOnce(pkg.customizationsXml, /LabelText="\$LocLabels:([A-Za-z0-9_.]+)"/, 'LabelText="$LocLabels:lmi.incident.Nothing.LabelText"') }));
    expect(messages(problems)).toContain('customizations.xml: "$LocLabels:lmi.incident.Nothing.LabelText" has no <LocLabel Id="lmi.incident.Nothing.LabelText">');
  });

  it("catch a duplicated GUID", () => {
    const problems = mutate((pkg) => {
      const formIds = [...pkg.customizationsXml.matchAll(/<formid>(\{[^}]+\})<\/formid>/g)].map((m) => m[1] ?? "");
      return { customizationsXml: replaceOnce(pkg.customizationsXml, `<formid>${formIds[1]}</formid>`, `<formid>${formIds[0]}</formid>`) };
    });
    expect(messages(problems).join("\n")).toMatch(/GUID [0-9a-f-]+ is used twice/);
  });

  it("catch an id that is not one GUID, such as one with a brace missing", () => {
    const problems = mutate((pkg) => {
      const formId = /<formid>\{([^}]+)\}<\/formid>/.exec(pkg.customizationsXml)?.[1] ?? "";
      return { customizationsXml: replaceOnce(pkg.customizationsXml, `<formid>{${formId}}</formid>`, `<formid>{${formId}</formid>`) };
    });
    expect(messages(problems).join("\n")).toMatch(/customizations\.xml: a form id "\{[0-9a-f-]{36}" is not a GUID/);
  });

  it("catch a key on a column its table does not have", () => {
    const problems = mutate((pkg) => ({ customizationsXml: replaceOnce(pkg.customizationsXml, "<AttributeName>lmi_rescuesessionid</AttributeName>", "<AttributeName>lmi_sessionnumber</AttributeName>") }));
    expect(messages(problems).join("\n")).toContain('uses column "lmi_sessionnumber", which lmi_session does not have');
  });

  it("catch a form control bound to a missing column", () => {
    const problems = mutate((pkg) => ({ customizationsXml: replaceOnce(pkg.customizationsXml, 'datafieldname="lmi_companyid"', 'datafieldname="lmi_company"') }));
    expect(messages(problems).join("\n")).toMatch(/lmi_configuration form "[^"]+" uses column "lmi_company", which lmi_configuration does not have/);
  });

  it("catch a choice value outside the publisher's prefix", () => {
    const problems = mutate((pkg) => ({ customizationsXml: replaceOnce(pkg.customizationsXml, 'value="645100002"', 'value="100000002"') }));
    expect(messages(problems).join("\n")).toContain("value 100000002 does not start with the publisher's option value prefix 64510");
  });

  it("catch root components that do not match the content", () => {
    const problems = mutate((pkg) => ({ solutionXml: replaceOnce(pkg.solutionXml, /<RootComponent type="61" schemaName="lmi_\/images\/requestpin.svg" behavior="0" \/>/, '<RootComponent type="61" schemaName="lmi_/images/other.svg" behavior="0" />') }));
    const text = messages(problems).join("\n");
    expect(text).toContain("solution.xml: root component missing for content 61|lmi_/images/requestpin.svg|0");
    expect(text).toContain("solution.xml: root component 61|lmi_/images/other.svg|0 (type|name|behavior) has no content");
  });

  it("catch a strings file that lacks a key the other language has", () => {
    const problems = mutate((pkg) => withPart(pkg, "WebResources/lmi_stringsStrings1043resx", (dutch) => replaceOnce(dutch, /<data name="Common.Copied"[\s\S]*?<\/data>/, "")));
    expect(messages(problems)).toContain("lmi_/strings/Strings.1043.resx: is missing 1 key(s) other languages have: Common.Copied");
  });

  it("catch a key a page names that the strings do not have, in each language", () => {
    const problems = mutate((pkg) =>
      withPart(pkg, "WebResources/lmi_pagesconfigurationhtml", (html) =>
        replaceOnce(replaceOnce(html, 'data-lmi-text="Config.RequiredNote"', 'data-lmi-text="Config.NoSuchNote"'), 'data-lmi-state="', 'data-lmi-title="Config.Key.NoSuchTitle" data-lmi-state="'),
      ),
    );
    const text = messages(problems).join("\n");
    for (const lcid of [1033, 1043]) {
      expect(text).toMatch(new RegExp(`lmi_/pages/configuration\\.html: line \\d+: data-lmi-text="Config\\.NoSuchNote" has no string in lmi_/strings/Strings\\.${lcid}\\.resx`));
      expect(text).toMatch(new RegExp(`lmi_/pages/configuration\\.html: line \\d+: data-lmi-title="Config\\.Key\\.NoSuchTitle" has no string in lmi_/strings/Strings\\.${lcid}\\.resx`));
    }
    expect(text).not.toContain("data-lmi-state");
  });

  it("catch a bigint column of ours", () => {
    const problems = mutate((pkg) => ({ customizationsXml: replaceOnce(pkg.customizationsXml, "<Type>decimal</Type>", "<Type>bigint</Type>") }));
    expect(messages(problems).join("\n")).toContain("customizations.xml: column lmi_session.lmi_transmitted is <Type>bigint</Type>: real exports carry no custom big integer column");
  });

  it("catch any cascade but the referential ones on every relationship from the Case to a table of ours, whatever its name", () => {
    const problems = mutate((pkg) => {
      const session = /<EntityRelationship Name="lmi_incident_lmi_session">[\s\S]*?<\/EntityRelationship>/.exec(pkg.customizationsXml)?.[0];
      if (!session) throw new Error("test setup: no lmi_incident_lmi_session");
      const pinRequests = session
        .replace('Name="lmi_incident_lmi_session"', 'Name="lmi_incident_lmi_pinrequest_history"')
        .replace(/<ReferencingEntityName>lmi_session</, "<ReferencingEntityName>lmi_pinrequest<")
        .replace("<CascadeAssign>NoCascade</CascadeAssign>", "<CascadeAssign>Cascade</CascadeAssign>")
        .replace("<CascadeDelete>RemoveLink</CascadeDelete>", "<CascadeDelete>Restrict</CascadeDelete>")
        .replace("<CascadeRollupView>NoCascade</CascadeRollupView>", "<CascadeRollupView>Cascade</CascadeRollupView>")
        .replace(/<CascadeShare>[^<]*<\/CascadeShare>/, "");
      return { customizationsXml: replaceOnce(pkg.customizationsXml, session, `${session}${pinRequests}`) };
    });
    expect(messages(problems).filter((message) => message.includes("relationship "))).toEqual([
      'customizations.xml: relationship lmi_incident_lmi_pinrequest_history (Case → lmi_pinrequest) has CascadeAssign "Cascade"; it must be NoCascade: a relationship from the Case to our tables is referential (DESIGN §5)',
      "customizations.xml: relationship lmi_incident_lmi_pinrequest_history (Case → lmi_pinrequest) has CascadeShare missing; it must be NoCascade: a relationship from the Case to our tables is referential (DESIGN §5)",
      'customizations.xml: relationship lmi_incident_lmi_pinrequest_history (Case → lmi_pinrequest) has CascadeDelete "Restrict"; it must be RemoveLink: a relationship from the Case to our tables is referential (DESIGN §5)',
      'customizations.xml: relationship lmi_incident_lmi_pinrequest_history (Case → lmi_pinrequest) has CascadeRollupView "Cascade"; it must be NoCascade or left out (DESIGN §5)',
    ]);
  });

  it("catch solution.xml without the configuration page", () => {
    const problems = mutate((pkg) => ({ solutionXml: replaceOnce(pkg.solutionXml, /<ConfigurationPage>[^<]*<\/ConfigurationPage>/, "") }));
    expect(messages(problems)).toContain("solution.xml: <SolutionManifest> has no <ConfigurationPage>");
  });

  it("catch a zip part with no content type", () => {
    const problems = mutate((pkg) => ({ contentTypesXml: pkg.contentTypesXml.replace(/<Override PartName="\/WebResources\/lmi_pagesconfigurationhtml[^>]*\/>/, "") }));
    expect(messages(problems).join("\n")).toMatch(/zip entry WebResources\/lmi_pagesconfigurationhtml[0-9A-F-]+ has no content type/);
  });
});

describe("ids that must be unique in their scope", () => {
  const inCustomizations =
    (change: (xml: string) => string) =>
    (pkg: SolutionPackage): Partial<SolutionPackage> => ({ customizationsXml: change(pkg.customizationsXml) });

  it.each<[string, (pkg: SolutionPackage) => Partial<SolutionPackage>, string | RegExp]>([
    [
      "a site map entry's Id in another group",
      inCustomizations((xml) => replaceOnce(xml, '<SubArea Id="lmi_subarea_sessions"', '<SubArea Id="lmi_subarea_configuration"')),
      'customizations.xml: site map lmi_LogMeInRescue: Id "lmi_subarea_configuration" appears 2 times (SubArea, SubArea); every Area, Group and SubArea of a site map needs an Id of its own',
    ],
    [
      "a group with an area's Id",
      inCustomizations((xml) => replaceOnce(xml, '<Group Id="lmi_group_sessions"', '<Group Id="lmi_area_logmeinrescue"')),
      'customizations.xml: site map lmi_LogMeInRescue: Id "lmi_area_logmeinrescue" appears 2 times (Area, Group)',
    ],
    [
      "an app's form listed twice, once with its id in capitals",
      inCustomizations((xml) => {
        const form = /<AppModuleComponent type="60" id="\{([0-9a-f-]+)\}" \/>/.exec(xml);
        if (!form) throw new Error("test setup: the app lists no form");
        return replaceOnce(xml, form[0], `${form[0]}<AppModuleComponent type="60" id="{${(form[1] ?? "").toUpperCase()}}" />`);
      }),
      /customizations\.xml: app lmi_LogMeInRescue: <AppModuleComponent type="60" id="\{[0-9a-f-]+\}"> appears 2 times; list each table, form and site map of the app once/,
    ],
    [
      "an app mapped to a role twice",
      inCustomizations((xml) => twice(xml, /<Role id="\{[^"]+\}" \/>/)),
      /customizations\.xml: app lmi_LogMeInRescue: <Role id="\{[0-9a-f-]+\}"> in <AppModuleRoleMaps> appears 2 times; map each role to the app once/,
    ],
    [
      "a ribbon button twice",
      inCustomizations((xml) => twice(xml, /<Button Id="lmi\.incident\.RequestPin\.Button"[^>]*\/>/)),
      'customizations.xml: incident ribbon: Id "lmi.incident.RequestPin.Button" appears 2 times (Button, Button); ribbon ids must be unique in a table\'s ribbon, or the platform keeps only one of them',
    ],
    [
      "a ribbon command twice",
      inCustomizations((xml) => twice(xml, /<CommandDefinition Id="lmi\.incident\.RequestPin\.Command">[\s\S]*?<\/CommandDefinition>/)),
      'customizations.xml: incident ribbon: Id "lmi.incident.RequestPin.Command" appears 2 times (CommandDefinition, CommandDefinition)',
    ],
    [
      "a ribbon enable rule defined twice",
      inCustomizations((xml) => twice(xml, /<EnableRule Id="lmi\.incident\.RequestPin\.EnableRule">[\s\S]*?<\/EnableRule>/)),
      'customizations.xml: incident ribbon: Id "lmi.incident.RequestPin.EnableRule" appears 2 times (EnableRule, EnableRule)',
    ],
    [
      "a ribbon label twice (the second one could lack a language unnoticed)",
      inCustomizations((xml) => twice(xml, /<LocLabel Id="lmi\.incident\.RequestPin\.LabelText">[\s\S]*?<\/LocLabel>/)),
      'customizations.xml: incident ribbon: Id "lmi.incident.RequestPin.LabelText" appears 2 times (LocLabel, LocLabel)',
    ],
    [
      "a form control id twice",
      inCustomizations((xml) => twice(xml, /<control id="lmi_companyid"[^>]*\/>/)),
      /customizations\.xml: lmi_configuration form "[^"]+": control id "lmi_companyid" appears 2 times; formContext\.getControl finds only one of them/,
    ],
    [
      "a form tab name twice",
      inCustomizations((xml) => replaceOnce(xml, '<tab name="survey"', '<tab name="chat"')),
      /customizations\.xml: lmi_session form "[^"]+": tab name "chat" appears 2 times; formContext\.ui\.tabs\.get finds only one of them/,
    ],
    [
      "a form section name twice",
      inCustomizations((xml) => replaceOnce(xml, '<section name="rescue_account"', '<section name="general"')),
      /customizations\.xml: lmi_configuration form "[^"]+": section name "general" appears 2 times/,
    ],
    [
      "a form library listed twice",
      inCustomizations((xml) => twice(xml, /<Library name="lmi_\/scripts\/configuration\.form\.js" libraryUniqueId="[^"]+" \/>/)),
      /customizations\.xml: lmi_configuration form "[^"]+": library "lmi_\/scripts\/configuration\.form\.js" appears 2 times; list each library of a form once/,
    ],
    [
      "a column twice",
      inCustomizations((xml) => twice(xml, /<attribute PhysicalName="lmi_techname">[\s\S]*?<\/attribute>/)),
      "customizations.xml: table lmi_session: column lmi_techname appears 2 times; a table has each column once",
    ],
    [
      "a choice value twice",
      inCustomizations((xml) => replaceOnce(xml, 'value="645100001"', 'value="645100000"')),
      /customizations\.xml: choice lmi_\w+\.lmi_\w+: value 645100000 appears 2 times; each option of a choice needs a value of its own/,
    ],
    [
      "an alternate key twice",
      inCustomizations((xml) => twice(xml, /<EntityKey>[\s\S]*?<\/EntityKey>/)),
      /customizations\.xml: table lmi_\w+: key lmi_\w+ appears 2 times; each alternate key of a table needs a name of its own/,
    ],
    [
      "a relationship twice",
      inCustomizations((xml) => twice(xml, /<EntityRelationship Name="lmi_incident_lmi_session">[\s\S]*?<\/EntityRelationship>/)),
      "customizations.xml: relationship lmi_incident_lmi_session appears 2 times; a relationship's name is unique in the organisation",
    ],
    [
      "a role privilege twice",
      inCustomizations((xml) => twice(xml, /<RolePrivilege name="prvReadlmi_session" level="[A-Za-z]+" \/>/)),
      /customizations\.xml: role LogMeIn [A-Za-z ]+: privilege prvReadlmi_session appears 2 times; a role grants each privilege once, at one level/,
    ],
    [
      "a column twice in a field security profile",
      inCustomizations((xml) => twice(xml, /<FieldPermission>[\s\S]*?<\/FieldPermission>/)),
      /customizations\.xml: field security profile LogMeIn Rescue \w+: column lmi_\w+\.lmi_\w+ appears 2 times; a field security profile sets each column's permissions once/,
    ],
    [
      "a strings key twice",
      (pkg) => withPart(pkg, "WebResources/lmi_stringsStrings1033resx", (resx) => twice(resx, /<data name="Common\.Copied"[\s\S]*?<\/data>/)),
      'lmi_/strings/Strings.1033.resx: key "Common.Copied" appears 2 times; getResourceString answers only one of them; keep one string per key',
    ],
    [
      "a root component twice",
      (pkg) => ({ solutionXml: twice(pkg.solutionXml, /<RootComponent type="61" schemaName="lmi_\/images\/requestpin\.svg" behavior="0" \/>/) }),
      "solution.xml: root component 61|lmi_/images/requestpin.svg|0 (type|name|behavior) appears 2 times; list each root component once",
    ],
  ])("catch %s", (_, change, expected) => {
    const text = messages(mutate(change)).join("\n");
    if (typeof expected === "string") expect(text).toContain(expected);
    else expect(text).toMatch(expected);
  });

  it("leave alone a rule a command refers to, a button and its command sharing a name, and the same control id on two forms", () => {
    expect(checkPackage(built.managed).filter((problem) => problem.message.includes(" appears "))).toEqual([]);
    const problems = mutate(inCustomizations((xml) => replaceOnce(xml, 'Command="lmi.incident.RequestPin.Command"', 'Command="lmi.incident.RequestPin.Button"').replace('<CommandDefinition Id="lmi.incident.RequestPin.Command">', '<CommandDefinition Id="lmi.incident.RequestPin.Button">')));
    expect(messages(problems)).toEqual([]);
  });
});

describe("loading a library", () => {
  it("defines the namespace without touching Xrm, the DOM or the network", () => {
    const ribbon = [...built.managedEntries.entries()].find(([name]) => name.startsWith("WebResources/lmi_scriptscaseribbonjs"));
    const loaded = loadLibrary(new TextDecoder().decode(ribbon?.[1]));
    expect(loaded.error).toBeNull();
    const namespace = (loaded.globals.LogMeInRescue as { Case: { Ribbon: Record<string, unknown> } }).Case.Ribbon;
    expect(typeof namespace.requestPin).toBe("function");
    expect(typeof namespace.canRequestPin).toBe("function");
  });

  it("reports a library that throws while loading", () => {
    expect(loadLibrary("Xrm.Page.getAttribute('x');").error).toMatch(/Xrm is not defined/);
  });
});

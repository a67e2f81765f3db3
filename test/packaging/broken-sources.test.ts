/**
 * The build refuses broken sources with a message that names the file and the problem: each case
 * copies the project to a temporary folder, breaks one thing, and runs `node build.mjs` there.
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../helpers/built-package";

const copies: string[] = [];

function copyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "lmi-broken-"));
  copies.push(dir);
  for (const entry of ["build.mjs", "package.json", "tsconfig.json", "src", "webresources", "solution", "schemas"]) {
    cpSync(join(PROJECT_ROOT, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(PROJECT_ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

function build(dir: string): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, ["build.mjs", "--out", join(dir, "dist")], {
    cwd: dir,
    encoding: "utf8",
  });
  return { status: run.status, output: `${run.stdout}\n${run.stderr}` };
}

/**
 * Copies the project, lets `breakIt` break the copy, and builds it: the build must stop (exit
 * code 1, no zips). Answers what it printed.
 */
function buildBroken(breakIt: (dir: string) => void): string {
  const dir = copyProject();
  breakIt(dir);
  const result = build(dir);
  expect(result.status, result.output).toBe(1);
  expect(result.output).not.toContain("Built version");
  return result.output;
}

function edit(file: string, from: string | RegExp, to: string): void {
  const text = readFileSync(file, "utf8");
  const changed = text.replace(from, to);
  if (changed === text) throw new Error(`test setup: ${String(from)} not found in ${file}`);
  writeFileSync(file, changed);
}

afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

describe("the build stops on broken sources", () => {
  it("builds the unbroken copy (control)", () => {
    const dir = copyProject();
    const result = build(dir);
    expect(result.output).toContain("Built version");
    expect(result.status).toBe(0);
  });

  it("names a web resource whose name has a hyphen", () => {
    const output = buildBroken((dir) => {
      writeFileSync(join(dir, "webresources/lmi_/images/request-pin.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
    });
    expect(output).toContain("webresources/lmi_/images/request-pin.svg");
    expect(output).toContain("may contain only letters, digits");
  });

  it("names a view column that does not exist on its table", () => {
    const output = buildBroken((dir) => {
      const views = join(dir, "solution/Entities/lmi_session/SavedQueries");
      const view = readdirSync(views).map((file) => join(views, file)).find((file) => readFileSync(file, "utf8").includes('<cell name="lmi_techname"'));
      if (!view) throw new Error("test setup: no lmi_session view shows lmi_techname");
      edit(view, '<cell name="lmi_techname"', '<cell name="lmi_technicianname"');
    });
    expect(output).toMatch(/lmi_session view "[^"]+" layout uses column "lmi_technicianname", which lmi_session does not have/);
  });

  it("names a ribbon function that no bundle defines", () => {
    const output = buildBroken((dir) => {
      edit(join(dir, "solution/Entities/Incident/RibbonDiff.xml"), 'FunctionName="LogMeInRescue.Case.Ribbon.requestPin"', 'FunctionName="LogMeInRescue.Case.Ribbon.requestPinCode"');
    });
    expect(output).toContain('function "LogMeInRescue.Case.Ribbon.requestPinCode" is not defined by "lmi_/scripts/case.ribbon.js"');
  });

  it("names a localized label that has no Dutch title", () => {
    const output = buildBroken((dir) => {
      edit(join(dir, "solution/Entities/Incident/RibbonDiff.xml"), /<Title description="[^"]*" languagecode="1043"\s*\/>/, "");
    });
    expect(output).toMatch(/customizations\.xml[^\n]*: <LocLabel Id="[^"]+"> has no title for language 1043/);
  });

  it("names a t() key that has no string, with its file and line", () => {
    const output = buildBroken((dir) => {
      const file = join(dir, "src/strings/unknown-key.ts");
      writeFileSync(file, 'import type { Translator } from "./translator";\n\nexport const label = (t: Translator): string =>\n  t("Common.NoSuchString");\n');
    });
    expect(output).toContain('src/strings/unknown-key.ts:4: t("Common.NoSuchString") has no string in webresources/lmi_/strings/Strings.1033.resx');
  });

  it("names a string key that only a page's HTML uses once the strings files lose it", () => {
    const output = buildBroken((dir) => {
      for (const lcid of [1033, 1043]) edit(join(dir, `webresources/lmi_/strings/Strings.${lcid}.resx`), /<data name="Config\.RequiredNote"[\s\S]*?<\/data>\s*/, "");
    });
    for (const lcid of [1033, 1043]) {
      expect(output).toMatch(new RegExp(`lmi_/pages/configuration\\.html: line \\d+: data-lmi-text="Config\\.RequiredNote" has no string in lmi_/strings/Strings\\.${lcid}\\.resx`));
    }
  });

  it("names a t() key that the Dutch strings lack", () => {
    const output = buildBroken((dir) => {
      edit(join(dir, "webresources/lmi_/strings/Strings.1043.resx"), /<data name="Ribbon\.Progress"[\s\S]*?<\/data>\s*/, "");
    });
    expect(output).toMatch(/src\/pin\/session\.ts:\d+: t\("Ribbon\.Progress"\) has no string in webresources\/lmi_\/strings\/Strings\.1043\.resx/);
  });

  it("names a column length in Entity.xml that src/model/ does not have", () => {
    const output = buildBroken((dir) => {
      edit(join(dir, "solution/Entities/lmi_session/Entity.xml"), /(<attribute PhysicalName="lmi_techname">[\s\S]*?<MaxLength>)128(<\/MaxLength>)/, "$1100$2");
    });
    expect(output).toContain(
      "src/model/session.ts: maxLength.techName is 128, but lmi_session.lmi_techname in solution/Entities/lmi_session/Entity.xml has <MaxLength>100</MaxLength>",
    );
  });

  it("names a bigint column", () => {
    const output = buildBroken((dir) => {
      edit(join(dir, "solution/Entities/lmi_session/Entity.xml"), /(<attribute PhysicalName="lmi_transmitted">\s*)<Type>decimal<\/Type>/, "$1<Type>bigint</Type>");
    });
    expect(output).toContain("customizations.xml (managed): column lmi_session.lmi_transmitted is <Type>bigint</Type>");
    // The code writes a decimal there: src/model/ says so, and is named too.
    expect(output).toContain("src/model/session.ts: fields.transmitted (lmi_transmitted) is declared decimal in src/model/column-types.ts");
  });

  it("names a parental cascade from the Case to the sessions", () => {
    const output = buildBroken((dir) => {
      const relationships = join(dir, "solution/Other/Relationships/Incident.xml");
      for (const element of ["CascadeAssign", "CascadeReparent", "CascadeShare", "CascadeUnshare"]) edit(relationships, `<${element}>NoCascade</${element}>`, `<${element}>Cascade</${element}>`);
      edit(relationships, "<CascadeDelete>RemoveLink</CascadeDelete>", "<CascadeDelete>Cascade</CascadeDelete>");
    });
    for (const element of ["CascadeAssign", "CascadeShare", "CascadeUnshare", "CascadeReparent"]) {
      expect(output).toContain(`customizations.xml (managed): relationship lmi_incident_lmi_session (Case → lmi_session) has ${element} "Cascade"; it must be NoCascade`);
    }
    expect(output).toContain('relationship lmi_incident_lmi_session (Case → lmi_session) has CascadeDelete "Cascade"; it must be RemoveLink');
  });

  it("names a site map group that a merge left twice, with its entries", () => {
    const output = buildBroken((dir) => {
      const siteMap = join(dir, "solution/AppModuleSiteMaps/lmi_LogMeInRescue/AppModuleSiteMap.xml");
      const group = /\s*<Group Id="lmi_group_mysettings"[\s\S]*?<\/Group>/.exec(readFileSync(siteMap, "utf8"))?.[0];
      if (!group) throw new Error("test setup: no lmi_group_mysettings group");
      edit(siteMap, group, `${group}${group}`);
    });
    expect(output).toContain('customizations.xml (managed): site map lmi_LogMeInRescue: Id "lmi_group_mysettings" appears 2 times (Group, Group); every Area, Group and SubArea of a site map needs an Id of its own');
    for (const subArea of ["lmi_subarea_myusersettings", "lmi_subarea_pinrequests"]) {
      expect(output).toContain(`site map lmi_LogMeInRescue: Id "${subArea}" appears 2 times (SubArea, SubArea)`);
    }
  });

  it("names a site map entry whose Id another group's entry has (the schema checks only groups within an area)", () => {
    const output = buildBroken((dir) => {
      edit(join(dir, "solution/AppModuleSiteMaps/lmi_LogMeInRescue/AppModuleSiteMap.xml"), '<SubArea Id="lmi_subarea_usersettings"', '<SubArea Id="lmi_subarea_myusersettings"');
    });
    expect(output).toContain('customizations.xml (managed): site map lmi_LogMeInRescue: Id "lmi_subarea_myusersettings" appears 2 times (SubArea, SubArea)');
  });

  it("names an app module component listed twice", () => {
    const output = buildBroken((dir) => {
      edit(join(dir, "solution/AppModules/lmi_LogMeInRescue/AppModule.xml"), '<AppModuleComponent type="1" schemaName="lmi_session" />', '<AppModuleComponent type="1" schemaName="lmi_session" /><AppModuleComponent type="1" schemaName="lmi_session" />');
    });
    expect(output).toContain('customizations.xml (managed): app lmi_LogMeInRescue: <AppModuleComponent type="1" schemaName="lmi_session"> appears 2 times; list each table, form and site map of the app once');
  });

  it("names a source file that is not well-formed XML", () => {
    const output = buildBroken((dir) => {
      edit(join(dir, "solution/Roles/LogMeIn Rescue Agent.xml"), "</RolePrivileges>", "</RolePrivilege>");
    });
    expect(output).toContain("solution/Roles/LogMeIn Rescue Agent.xml: not well-formed XML");
  });

  it("names an XSD violation", () => {
    const output = buildBroken((dir) => {
      edit(join(dir, "solution/Roles/LogMeIn Rescue Agent.xml"), /level="Global"/, 'level="Everywhere"');
    });
    expect(output).toMatch(/customizations\.xml: XSD: .*level.*Everywhere/);
  });

  it("names an XSD violation in a form control outside its parameters (the part the schemas check laxly)", () => {
    const output = buildBroken((dir) => {
      edit(join(dir, "solution/Entities/lmi_session/FormXml/main/{a18c3e27-aa3d-5a5f-a5aa-88a1548f4a0c}.xml"), 'datafieldname="lmi_rescuesessionid" disabled="false"', 'datafieldname="lmi_rescuesessionid" disabled="nope"');
    });
    expect(output).toMatch(/customizations\.xml: XSD: line \d+: Element 'control', attribute 'disabled': 'nope' is not a valid value/);
  });

  it("stops when a schema file is missing", () => {
    const output = buildBroken((dir) => {
      rmSync(join(dir, "schemas/dataverse/FormXml.xsd"));
    });
    expect(output).toContain("schemas/dataverse/FormXml.xsd: is missing; customizations.xml cannot be validated without it");
  });

  it("stops when a schema file was edited without its checksum", () => {
    const output = buildBroken((dir) => {
      appendFileSync(join(dir, "schemas/dataverse/Fetch.xsd"), "<!-- loosened -->");
    });
    expect(output).toContain("schemas/dataverse/Fetch.xsd: does not match its checksum in SHA256SUMS");
  });
});

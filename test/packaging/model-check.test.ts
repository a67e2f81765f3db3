/**
 * The build's check that src/model/ says what solution/ says (src/packaging/solution-tables.ts):
 * the real sources pass, and each kind of difference in a copy of solution/ is named with the model
 * file and the XML file. (test/packaging/broken-sources.test.ts runs the whole build on one of them.)
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as Session from "../../src/model/session";
import { ProblemList } from "../../src/packaging/problems";
import { checkModelAgainstSolution, readSolutionTables } from "../../src/packaging/solution-tables";
import { PROJECT_ROOT } from "../helpers/built-package";

const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

function problemsOf(root: string): string[] {
  const problems = new ProblemList();
  checkModelAgainstSolution(root, problems);
  return problems.items.map((problem) => `${problem.file}: ${problem.message}`);
}

/** A copy of solution/ with one edit. */
function brokenCopy(file: string, from: string | RegExp, to: string): string {
  const dir = mkdtempSync(join(tmpdir(), "lmi-model-"));
  copies.push(dir);
  cpSync(join(PROJECT_ROOT, "solution"), join(dir, "solution"), { recursive: true });
  const path = join(dir, file);
  const text = readFileSync(path, "utf8");
  const changed = text.replace(from, to);
  if (changed === text) throw new Error(`test setup: ${String(from)} not found in ${file}`);
  writeFileSync(path, changed);
  return dir;
}

const SESSION_XML = "solution/Entities/lmi_session/Entity.xml";

describe("src/model/ against solution/", () => {
  it("the sources agree", () => {
    expect(problemsOf(PROJECT_ROOT)).toEqual([]);
  });

  it("reads what a table says: entity set, column types, lengths, number limits, choices, keys", () => {
    const session = readSolutionTables(PROJECT_ROOT).tables.get("lmi_session");
    expect(session?.entitySetName).toBe("lmi_sessions");
    expect(session?.columns.get("lmi_chatlog")).toMatchObject({ type: "ntext", maxLength: 1_048_576 });
    expect(session?.columns.get("lmi_transmitted")).toMatchObject({ type: "decimal", maxValue: 100_000_000_000 });
    expect(session?.columns.get("lmi_status")?.options).toEqual([645100000, 645100001]);
    expect(session?.keys.get("lmi_sessionkey")).toEqual(["lmi_rescuesessionid"]);
  });

  const cases: [string, string, string | RegExp, string, string | string[]][] = [
    [
      "a text length",
      SESSION_XML,
      /(<attribute PhysicalName="lmi_techname">[\s\S]*?<MaxLength>)128(<\/MaxLength>)/,
      "$1100$2",
      `src/model/session.ts: maxLength.techName is ${Session.maxLength.techName}, but lmi_session.lmi_techname in ${SESSION_XML} has <MaxLength>100</MaxLength>`,
    ],
    [
      "a column type",
      SESSION_XML,
      /(<attribute PhysicalName="lmi_worktime">\s*)<Type>int<\/Type>/,
      "$1<Type>nvarchar</Type>",
      [
        `src/model/session.ts: fields.workTime (lmi_worktime) is declared int in src/model/column-types.ts, but lmi_session.lmi_worktime in ${SESSION_XML} is <Type>nvarchar</Type>`,
        "src/model/session.ts: maxLength has no entry for the text column fields.workTime (lmi_worktime; MaxLength ? in solution/Entities/lmi_session/Entity.xml)",
        `src/model/session.ts: maxValue.workTime: lmi_session.lmi_worktime in ${SESSION_XML} is not a number column (<Type>nvarchar</Type>)`,
      ],
    ],
    [
      "a number limit",
      SESSION_XML,
      "<MaxValue>100000000000</MaxValue>",
      "<MaxValue>1000000000</MaxValue>",
      `src/model/session.ts: maxValue.transmitted is 100000000000, but lmi_session.lmi_transmitted in ${SESSION_XML} has <MaxValue>1000000000</MaxValue>`,
    ],
    [
      "a choice value",
      "solution/Entities/lmi_pinrequest/Entity.xml",
      '<option value="645100003">',
      '<option value="645100004">',
      "src/model/pin-request.ts: choices.status has the values 645100000, 645100001, 645100002, 645100003, but lmi_pinrequest.lmi_status in solution/Entities/lmi_pinrequest/Entity.xml has the options 645100000, 645100001, 645100002, 645100004",
    ],
    [
      "a missing column",
      "solution/Entities/lmi_configuration/Entity.xml",
      /<LogicalName>lmi_serviceurl<\/LogicalName>/,
      "<LogicalName>lmi_serviceaddress</LogicalName>",
      'src/model/configuration.ts: fields.serviceUrl is "lmi_serviceurl", which lmi_configuration does not have in solution/Entities/lmi_configuration/Entity.xml',
    ],
    [
      "an entity set name",
      "solution/Entities/lmi_usersettings/Entity.xml",
      "<EntitySetName>lmi_usersettingses</EntitySetName>",
      "<EntitySetName>lmi_usersettings</EntitySetName>",
      'src/model/user-settings.ts: entitySet is "lmi_usersettingses", but solution/Entities/lmi_usersettings/Entity.xml has <EntitySetName>lmi_usersettings</EntitySetName>',
    ],
    [
      "an alternate key's column",
      SESSION_XML,
      "<AttributeName>lmi_rescuesessionid</AttributeName>",
      "<AttributeName>lmi_name</AttributeName>",
      `src/model/session.ts: alternate key lmi_sessionkey is on lmi_rescuesessionid, but in ${SESSION_XML} it is on lmi_name`,
    ],
    [
      "a relationship's name",
      "solution/Other/Relationships/Incident.xml",
      '<EntityRelationship Name="lmi_incident_lmi_session">',
      '<EntityRelationship Name="lmi_incident_lmi_sessions">',
      "src/model/session.ts: relationship lmi_incident_lmi_session is not in solution/Other/Relationships/",
    ],
    [
      "a navigation property",
      "solution/Other/Relationships/Incident.xml",
      "<NavigationPropertyName>lmi_caseid</NavigationPropertyName>",
      "<NavigationPropertyName>lmi_case</NavigationPropertyName>",
      'src/model/session.ts: the navigation property of lmi_session.lmi_caseid is "lmi_caseid", but relationship lmi_incident_lmi_session in solution/Other/Relationships/Incident.xml names lmi_case, lmi_incident_lmi_session',
    ],
    [
      "a security role's name",
      "solution/Roles/LogMeIn Rescue Agent.xml",
      '<Role name="LogMeIn Rescue Agent"',
      '<Role name="LogMeIn Agent"',
      'src/model/security-names.ts: security role "LogMeIn Rescue Agent" is not in solution/Roles/',
    ],
  ];

  it.each(cases)("names %s that differs", (_what, file, from, to, expected) => {
    expect(problemsOf(brokenCopy(file, from, to))).toEqual(typeof expected === "string" ? [expected] : expected);
  });
});

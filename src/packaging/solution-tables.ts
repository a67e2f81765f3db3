/**
 * What `solution/` says about the product's tables, and the build's check that src/model/ says
 * the same. The solution XML is what Dataverse gets, so it is the reference: src/model/ is the
 * code's copy of the names and limits, and the build stops (one `file: problem` line each) when
 * a table, entity set, column, column type, text length, number limit, choice value, alternate
 * key, relationship, navigation property, security role or field security profile it names
 * differs from the XML.
 *
 * `readSolutionTables` is also what the service tests' fake Dataverse takes its column limits
 * from (test/service/support/fake-dataverse.ts), so the fake enforces the solution's lengths, not
 * the code's.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { configurationColumnTypes, pinRequestColumnTypes, sessionColumnTypes, userSettingsColumnTypes, type ColumnType } from "../model/column-types";
import * as Configuration from "../model/configuration";
import * as PinRequest from "../model/pin-request";
import { SecurityNames } from "../model/security-names";
import * as Session from "../model/session";
import * as UserSettings from "../model/user-settings";
import type { ProblemList } from "./problems";
import { attr, findAll, parseXml, textOf, type XmlNode } from "./xml-text";

export interface SolutionColumn {
  logicalName: string;
  /** `<Type>`: nvarchar, ntext, picklist, bit, int, decimal, datetime, lookup, owner, state, primarykey, … */
  type: string;
  /** `<MaxLength>` of a text column. */
  maxLength?: number;
  /** `<MaxValue>` of a number column. */
  maxValue?: number;
  /** Option values of a choice (`<optionset><options><option value>`). */
  options: number[];
}

export interface SolutionTable {
  logicalName: string;
  /** Project-relative path of the table's `Entity.xml`. */
  file: string;
  entitySetName: string;
  /** By logical name (lower case). */
  columns: ReadonlyMap<string, SolutionColumn>;
  /** Alternate key logical name → its columns' logical names. */
  keys: ReadonlyMap<string, readonly string[]>;
}

export interface SolutionRelationship {
  name: string;
  /** Project-relative path of the relationships file. */
  file: string;
  referencingEntity: string;
  referencedEntity: string;
  referencingAttribute: string;
  navigationProperties: readonly string[];
}

export interface SolutionTables {
  /** By logical name (lower case). */
  tables: ReadonlyMap<string, SolutionTable>;
  relationships: ReadonlyMap<string, SolutionRelationship>;
  roles: ReadonlySet<string>;
  fieldSecurityProfiles: ReadonlySet<string>;
}

const ENTITIES = "solution/Entities";
const RELATIONSHIPS = "solution/Other/Relationships";
const ROLES = "solution/Roles";
const CUSTOMIZATIONS = "solution/Other/Customizations.xml";

function xmlFiles(root: string, folder: string): string[] {
  const dir = join(root, folder);
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith(".xml")).sort() : [];
}

function parseFile(root: string, file: string): XmlNode {
  return parseXml(readFileSync(join(root, file), "utf8"));
}

function numberOf(node: XmlNode, element: string): number | undefined {
  const text = textOf(node, element);
  return text === "" ? undefined : Number(text);
}

function readTable(root: string, file: string): SolutionTable | null {
  const doc = parseFile(root, file);
  const entity = findAll(doc, "entity")[0];
  const logicalName = (entity ? attr(entity, "Name") : undefined)?.toLowerCase();
  if (!entity || !logicalName) return null;
  const columns = new Map<string, SolutionColumn>();
  for (const attribute of findAll(entity, "attribute")) {
    const column = textOf(attribute, "LogicalName").toLowerCase();
    columns.set(column, {
      logicalName: column,
      type: textOf(attribute, "Type"),
      maxLength: numberOf(attribute, "MaxLength"),
      maxValue: numberOf(attribute, "MaxValue"),
      options: findAll(attribute, "option").map((option) => Number(attr(option, "value"))),
    });
  }
  const keys = new Map<string, string[]>();
  for (const key of findAll(entity, "EntityKey")) {
    keys.set(textOf(key, "LogicalName").toLowerCase(), findAll(key, "AttributeName").map((name) => textOf(name, "#text").toLowerCase()));
  }
  return { logicalName, file, entitySetName: textOf(entity, "EntitySetName"), columns, keys };
}

/** Reads the tables, relationships, roles and field security profiles of `<root>/solution`. */
export function readSolutionTables(root: string): SolutionTables {
  const tables = new Map<string, SolutionTable>();
  const entitiesDir = join(root, ENTITIES);
  for (const folder of existsSync(entitiesDir) ? readdirSync(entitiesDir).sort() : []) {
    const file = `${ENTITIES}/${folder}/Entity.xml`;
    if (!existsSync(join(root, file))) continue;
    const table = readTable(root, file);
    if (table) tables.set(table.logicalName, table);
  }
  const relationships = new Map<string, SolutionRelationship>();
  for (const name of xmlFiles(root, RELATIONSHIPS)) {
    const file = `${RELATIONSHIPS}/${name}`;
    for (const relationship of findAll(parseFile(root, file), "EntityRelationship")) {
      const relationshipName = attr(relationship, "Name") ?? "";
      relationships.set(relationshipName, {
        name: relationshipName,
        file,
        referencingEntity: textOf(relationship, "ReferencingEntityName").toLowerCase(),
        referencedEntity: textOf(relationship, "ReferencedEntityName").toLowerCase(),
        referencingAttribute: textOf(relationship, "ReferencingAttributeName").toLowerCase(),
        navigationProperties: findAll(relationship, "NavigationPropertyName").map((node) => textOf(node, "#text")),
      });
    }
  }
  const roles = new Set(xmlFiles(root, ROLES).flatMap((name) => findAll(parseFile(root, `${ROLES}/${name}`), "Role").map((role) => attr(role, "name") ?? "")));
  const fieldSecurityProfiles = new Set(
    existsSync(join(root, CUSTOMIZATIONS)) ? findAll(parseFile(root, CUSTOMIZATIONS), "FieldSecurityProfile").map((profile) => attr(profile, "name") ?? "") : [],
  );
  return { tables, relationships, roles, fieldSecurityProfiles };
}

/** The facts a table module of src/model/ declares (the shape `import * as Session from "../model/session"` has). */
interface TableFacts {
  entity: string;
  entitySet: string;
  primaryId: string;
  fields: Readonly<Record<string, string>>;
  maxLength: Readonly<Record<string, number>>;
  maxValue?: Readonly<Record<string, number>>;
  choices?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  keys?: readonly { name: string; fields: readonly string[] }[];
}

/** A lookup the code follows: the column (a key of `fields`) and its single-valued navigation property. */
interface Navigation {
  field: string;
  property: string;
}

interface CheckedTable {
  /** The module that declares the facts (where a difference is reported). */
  file: string;
  facts: TableFacts;
  types: Readonly<Record<string, ColumnType>>;
  navigations: readonly Navigation[];
  /** Relationships from the Case this table is on the many side of, by name, with their lookup (a key of `fields`). */
  caseRelationships: readonly { name: string; field: string }[];
}

const TEXT_TYPES: ReadonlySet<string> = new Set(["nvarchar", "ntext", "memo"]);
const NUMBER_TYPES: ReadonlySet<string> = new Set(["int", "decimal", "bigint", "double", "money"]);
const CHOICE_TYPES: ReadonlySet<string> = new Set(["picklist"]);

/** The product's tables as src/model/ declares them. */
export function modelTables(): readonly CheckedTable[] {
  return [
    { file: "src/model/configuration.ts", facts: Configuration, types: configurationColumnTypes, navigations: [], caseRelationships: [] },
    {
      file: "src/model/user-settings.ts",
      facts: UserSettings,
      types: userSettingsColumnTypes,
      navigations: [{ field: "userId", property: UserSettings.userIdNavigation }],
      caseRelationships: [],
    },
    {
      file: "src/model/pin-request.ts",
      facts: PinRequest,
      types: pinRequestColumnTypes,
      navigations: [
        { field: "caseId", property: PinRequest.caseIdNavigation },
        { field: "createdBy", property: PinRequest.createdByNavigation },
      ],
      caseRelationships: [{ name: PinRequest.caseRelationship, field: "caseId" }],
    },
    {
      file: "src/model/session.ts",
      facts: Session,
      types: sessionColumnTypes,
      navigations: [{ field: "caseId", property: Session.caseIdNavigation }],
      caseRelationships: [{ name: Session.caseRelationship, field: "caseId" }],
    },
  ];
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  const left = [...new Set(a)].sort((x, y) => x - y);
  const right = [...new Set(b)].sort((x, y) => x - y);
  return left.length === right.length && left.every((value, index) => value === right[index]);
}

function checkTable(checked: CheckedTable, solution: SolutionTables, problems: ProblemList): void {
  const { file, facts } = checked;
  const table = solution.tables.get(facts.entity);
  if (!table) {
    problems.add(file, `table ${facts.entity} is not in the solution (no ${ENTITIES}/${facts.entity}/Entity.xml)`);
    return;
  }
  const where = (column: string): string => `${table.logicalName}.${column} in ${table.file}`;
  if (table.entitySetName !== facts.entitySet) problems.add(file, `entitySet is "${facts.entitySet}", but ${table.file} has <EntitySetName>${table.entitySetName}</EntitySetName>`);
  const primary = table.columns.get(facts.primaryId);
  if (primary?.type !== "primarykey") problems.add(file, `primaryId "${facts.primaryId}" is not the primary key of ${table.logicalName} in ${table.file}`);

  for (const [key, logicalName] of Object.entries(facts.fields)) {
    const column = table.columns.get(logicalName);
    if (!column) {
      problems.add(file, `fields.${key} is "${logicalName}", which ${table.logicalName} does not have in ${table.file}`);
      continue;
    }
    const expectedType = checked.types[key];
    if (expectedType !== column.type) problems.add(file, `fields.${key} (${logicalName}) is declared ${expectedType ?? "without a type"} in src/model/column-types.ts, but ${where(logicalName)} is <Type>${column.type}</Type>`);
    if (TEXT_TYPES.has(column.type) && facts.maxLength[key] === undefined) problems.add(file, `maxLength has no entry for the text column fields.${key} (${logicalName}; MaxLength ${column.maxLength ?? "?"} in ${table.file})`);
  }
  const columnFact = <T>(fact: string, values: Readonly<Record<string, T>> | undefined, kind: string, accepts: ReadonlySet<string>, differs: (value: T, column: SolutionColumn, at: string) => string | null): void => {
    for (const [key, value] of Object.entries(values ?? {})) {
      const logicalName = facts.fields[key];
      const column = logicalName === undefined ? undefined : table.columns.get(logicalName);
      if (logicalName === undefined) problems.add(file, `${fact}.${key} names no column of fields`);
      else if (!column) continue; // reported with the fields
      else if (!accepts.has(column.type)) problems.add(file, `${fact}.${key}: ${where(logicalName)} is not a ${kind} (<Type>${column.type}</Type>)`);
      else {
        const difference = differs(value, column, where(logicalName));
        if (difference !== null) problems.add(file, `${fact}.${key} ${difference}`);
      }
    }
  };
  columnFact("maxLength", facts.maxLength, "text column", TEXT_TYPES, (length, column, at) =>
    column.maxLength === length ? null : `is ${length}, but ${at} has <MaxLength>${column.maxLength ?? "none"}</MaxLength>`,
  );
  columnFact("maxValue", facts.maxValue, "number column", NUMBER_TYPES, (limit, column, at) =>
    column.maxValue === limit ? null : `is ${limit}, but ${at} has <MaxValue>${column.maxValue ?? "none"}</MaxValue>`,
  );
  columnFact("choices", facts.choices, "choice", CHOICE_TYPES, (choice, column, at) =>
    sameSet(Object.values(choice), column.options) ? null : `has the values ${Object.values(choice).join(", ")}, but ${at} has the options ${column.options.join(", ")}`,
  );
  for (const key of facts.keys ?? []) {
    const columns = table.keys.get(key.name);
    const expected = key.fields.map((field) => facts.fields[field] ?? `(fields.${field})`);
    if (!columns) problems.add(file, `alternate key ${key.name} is not a key of ${table.logicalName} in ${table.file}`);
    else if (columns.join(",") !== expected.join(",")) problems.add(file, `alternate key ${key.name} is on ${expected.join(", ")}, but in ${table.file} it is on ${columns.join(", ")}`);
  }
  for (const navigation of checked.navigations) {
    const column = facts.fields[navigation.field] ?? "";
    const relationship = [...solution.relationships.values()].find((candidate) => candidate.referencingEntity === table.logicalName && candidate.referencingAttribute === column);
    if (!relationship) problems.add(file, `no relationship in ${RELATIONSHIPS}/ has ${table.logicalName}.${column} as its lookup (navigation property "${navigation.property}")`);
    else {
      // A relationship that names no navigation property gets Dataverse's default: the lookup's logical name.
      const properties = relationship.navigationProperties.length > 0 ? relationship.navigationProperties : [relationship.referencingAttribute];
      if (!properties.includes(navigation.property)) {
        problems.add(file, `the navigation property of ${table.logicalName}.${column} is "${navigation.property}", but relationship ${relationship.name} in ${relationship.file} names ${properties.join(", ")}`);
      }
    }
  }
  for (const { name, field } of checked.caseRelationships) {
    const relationship = solution.relationships.get(name);
    const column = facts.fields[field] ?? "";
    if (!relationship) problems.add(file, `relationship ${name} is not in ${RELATIONSHIPS}/`);
    else if (relationship.referencedEntity !== "incident" || relationship.referencingEntity !== table.logicalName || relationship.referencingAttribute !== column) {
      problems.add(file, `relationship ${name} must be Case → ${table.logicalName} on ${column}, but ${relationship.file} has ${relationship.referencedEntity} → ${relationship.referencingEntity} on ${relationship.referencingAttribute}`);
    }
  }
}

/** Compares src/model/ with `<root>/solution`; every difference becomes a problem naming the model file. */
export function checkModelAgainstSolution(root: string, problems: ProblemList): void {
  const solution = readSolutionTables(root);
  for (const table of modelTables()) checkTable(table, solution, problems);
  const file = "src/model/security-names.ts";
  for (const role of [SecurityNames.agentRole, SecurityNames.integrationRole]) {
    if (!solution.roles.has(role)) problems.add(file, `security role "${role}" is not in ${ROLES}/`);
  }
  for (const profile of [SecurityNames.integrationFieldProfile, SecurityNames.adminFieldProfile]) {
    if (!solution.fieldSecurityProfiles.has(profile)) problems.add(file, `field security profile "${profile}" is not in ${CUSTOMIZATIONS}`);
  }
}

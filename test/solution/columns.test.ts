/**
 * Column types as DESIGN §5 has them, and the code that writes them agreeing with the solution:
 * `lmi_transmitted` is a decimal with precision 0, and the session mapper never sends a value
 * above the column's MaxValue (Dataverse would refuse the whole session write).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findAll, parseXml, textOf, type XmlNode } from "../../src/packaging/xml-text";
import { Session } from "../../src/model/schema";
import { parseRescuePost } from "../../src/service/post-parser";
import { mapPostToSession } from "../../src/service/session-mapper";
import { PROJECT_ROOT } from "../helpers/built-package";

function sessionColumn(logicalName: string): XmlNode {
  const entity = parseXml(readFileSync(join(PROJECT_ROOT, "solution/Entities/lmi_session/Entity.xml"), "utf8"));
  const column = findAll(entity, "attribute").find((attribute) => textOf(attribute, "LogicalName") === logicalName);
  if (!column) throw new Error(`test setup: no column ${logicalName}`);
  return column;
}

const mapTransmitted = (value: string): ReturnType<typeof mapPostToSession> =>
  mapPostToSession(parseRescuePost({ body: Buffer.from(`SessionID=7&Transmitted=${value}`), contentType: "application/x-www-form-urlencoded" }), null);

describe("lmi_session.lmi_transmitted", () => {
  it("is a decimal with precision 0, from 0 to the mapper's limit", () => {
    const column = sessionColumn(Session.fields.transmitted);
    expect(["Type", "Accuracy", "MinValue", "MaxValue"].map((element) => textOf(column, element))).toEqual(["decimal", "0", "0", String(Session.maxValue.transmitted)]);
  });

  it("takes the largest value the column holds and reports a larger one instead of sending it", () => {
    const largest = String(Session.maxValue.transmitted);
    expect(mapTransmitted(largest)).toMatchObject({ columns: { [Session.fields.transmitted]: Session.maxValue.transmitted }, problems: [] });
    const tooLarge = mapTransmitted(String(Session.maxValue.transmitted + 1));
    expect(tooLarge.columns).not.toHaveProperty(Session.fields.transmitted);
    expect(tooLarge.problems).toEqual([{ variable: "Transmitted", problem: "out of range", raw: "100000000001" }]);
  });
});

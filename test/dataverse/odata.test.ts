/**
 * src/dataverse/odata.ts: the one place where the browser and the service write Web API paths and
 * query text and read answers. What matters is what a server reads back: every query value is
 * checked by decoding it the way a server does (split at `&`, then percent-decode; `+` is a space).
 */
import { describe, expect, it } from "vitest";
import {
  alternateKeyPath,
  bindProperty,
  bindTarget,
  collectionRows,
  entityPath,
  idFromEntityIdHeader,
  lookupValueProperty,
  odataLiteral,
  odataQuery,
  readODataError,
  textOf,
} from "../../src/dataverse/odata";
import { pick, seededRandom } from "../helpers/seeded-random";

/** The query options as a server reads them from the URL's query. */
function serverReads(query: string): Record<string, string> {
  expect(query.startsWith("?")).toBe(true);
  return Object.fromEntries(new URLSearchParams(query.slice(1)));
}

const AWKWARD = ["'", "''", "&", "+", "#", "%", "%20", "?", "=", ";", ",", "$", "/", "\\", " ", "\t", "(", ")", "é", "Zoë", "😀", "👩‍💻", "漢", "<", ">", '"', "a", "Z", "0"];

describe("OData literals and paths", () => {
  it("quotes a string literal and doubles its quotes; numbers, booleans and null are written as they are", () => {
    expect(odataLiteral("O'Neil")).toBe("'O''Neil'");
    expect(odataLiteral("''")).toBe("''''''");
    expect(odataLiteral("")).toBe("''");
    expect(odataLiteral(0)).toBe("0");
    expect(odataLiteral(false)).toBe("false");
    expect(odataLiteral(null)).toBe("null");
  });

  it("addresses a row by its id in the product's form, and by an alternate key whose value is percent-encoded as a path segment", () => {
    expect(entityPath("incidents", "{0F8FAD5B-D9CB-469F-A165-70867728950E}")).toBe("incidents(0f8fad5b-d9cb-469f-a165-70867728950e)");
    expect(alternateKeyPath("lmi_sessions", "lmi_rescuesessionid", odataLiteral("700091"))).toBe("lmi_sessions(lmi_rescuesessionid='700091')");
    const awkward = alternateKeyPath("lmi_sessions", "lmi_rescuesessionid", odataLiteral("a/b c?#O'Neil"));
    expect(awkward).toBe("lmi_sessions(lmi_rescuesessionid='a%2Fb%20c%3F%23O''Neil')");
    expect(decodeURIComponent(awkward)).toBe("lmi_sessions(lmi_rescuesessionid='a/b c?#O''Neil')");
    expect(alternateKeyPath("EntityDefinitions", "LogicalName", odataLiteral("lmi_session"))).toBe("EntityDefinitions(LogicalName='lmi_session')");
  });

  it("names lookup properties and binds", () => {
    expect(lookupValueProperty("lmi_caseid")).toBe("_lmi_caseid_value");
    expect(bindProperty("lmi_caseid")).toBe("lmi_caseid@odata.bind");
    expect(bindTarget("incidents", "{ABC00000-0000-0000-0000-000000000001}")).toBe("/incidents(abc00000-0000-0000-0000-000000000001)");
  });
});

describe("odataQuery", () => {
  it("writes the options in one order, keeps OData punctuation readable and encodes spaces", () => {
    expect(odataQuery({ top: 1, orderby: "modifiedon desc", filter: "statecode eq 0", select: ["lmi_serviceurl", "lmi_name"] })).toBe(
      "?$select=lmi_serviceurl,lmi_name&$filter=statecode%20eq%200&$orderby=modifiedon%20desc&$top=1",
    );
    expect(odataQuery({ select: ["a"], expand: "createdby($select=fullname,internalemailaddress),lmi_caseid($select=ticketnumber;$expand=customerid_contact($select=fullname))" })).toBe(
      "?$select=a&$expand=createdby($select=fullname,internalemailaddress),lmi_caseid($select=ticketnumber;$expand=customerid_contact($select=fullname))",
    );
    expect(odataQuery({})).toBe("");
  });

  it("a server reads back exactly the filter that was written, whatever the literal holds", () => {
    const next = seededRandom(20_251_206);
    for (let run = 0; run < 2_000; run += 1) {
      const value = Array.from({ length: Math.floor(next() * 12) }, () => pick(next, AWKWARD)).join("");
      const filter = `lmi_techid eq ${odataLiteral(value)} and statecode eq 0`;
      const query = odataQuery({ select: ["_lmi_userid_value"], filter, top: 1 });
      expect(serverReads(query), JSON.stringify(value)).toEqual({ $select: "_lmi_userid_value", $filter: filter, $top: "1" });
      expect(query).not.toMatch(/[\s#+"<>\\^`{|}\u0080-\uffff]/);
      expect(query.split("&")).toHaveLength(3);
    }
  });
});

describe("reading answers", () => {
  it("takes the rows of a collection and nothing else", () => {
    expect(collectionRows({ value: [{ a: 1 }, null, 3, [1], { b: 2 }] })).toEqual([{ a: 1 }, { b: 2 }]);
    expect(collectionRows({ value: "x" })).toEqual([]);
    expect(collectionRows(null)).toEqual([]);
  });

  it("reads a text column trimmed, anything else as empty", () => {
    expect(textOf("  x ")).toBe("x");
    expect(textOf(null)).toBe("");
    expect(textOf(42)).toBe("");
  });

  it("reads the row id of an OData-EntityId header", () => {
    expect(idFromEntityIdHeader("https://org.crm4.dynamics.com/api/data/v9.2/lmi_usersettingses(7D5E1A2B-1111-4222-8333-944445555666)")).toBe("7d5e1a2b-1111-4222-8333-944445555666");
    expect(idFromEntityIdHeader("https://x/api/data/v9.2/lmi_configurations({7d5e1a2b-1111-4222-8333-944445555666})")).toBe("7d5e1a2b-1111-4222-8333-944445555666");
    expect(idFromEntityIdHeader("https://x/api/data/v9.2/lmi_sessions(lmi_rescuesessionid='1')")).toBeNull();
    expect(idFromEntityIdHeader(undefined)).toBeNull();
  });

  it("reads the platform's code and message of an OData error, and nothing from other bodies", () => {
    expect(readODataError({ error: { code: "0x80040217", message: "Does Not Exist" } })).toEqual({ code: "0x80040217", message: "Does Not Exist" });
    expect(readODataError({ error: { code: 7, message: "m" } })).toEqual({ message: "m" });
    expect(readODataError({ error: "x" })).toEqual({});
    expect(readODataError("<html>")).toEqual({});
    expect(readODataError(null)).toEqual({});
  });
});

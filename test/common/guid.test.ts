import { describe, expect, it } from "vitest";
import { GUID_PATTERN, normalizeId, parseGuid } from "../../src/common/guid";

const ID = "0f8fad5b-d9cb-469f-a165-70867728950e";

describe("GUIDs", () => {
  it("the pattern takes a GUID in either case, without braces", () => {
    expect(GUID_PATTERN.test(ID)).toBe(true);
    expect(GUID_PATTERN.test(ID.toUpperCase())).toBe(true);
    expect(GUID_PATTERN.test(`{${ID}}`)).toBe(false);
    expect(GUID_PATTERN.test(ID.slice(1))).toBe(false);
    expect(GUID_PATTERN.test(`${ID}\n`)).toBe(false);
    expect(GUID_PATTERN.test(ID.replace(/-/g, ""))).toBe(false);
  });

  it("reads a GUID as people and systems write it into the product's form", () => {
    expect(parseGuid(ID)).toBe(ID);
    expect(parseGuid(`{${ID.toUpperCase()}}`)).toBe(ID);
    expect(parseGuid(`  { ${ID} }  `)).toBe(ID);
    expect(parseGuid(`{${ID}`)).toBeNull();
    expect(parseGuid(`${ID}}`)).toBeNull();
    expect(parseGuid("CAS-01234")).toBeNull();
    expect(parseGuid("")).toBeNull();
    expect(parseGuid(`${ID} ${ID}`)).toBeNull();
  });

  it("normalizes an id without checking it", () => {
    expect(normalizeId(`{${ID.toUpperCase()}}`)).toBe(ID);
    expect(normalizeId("ABC")).toBe("abc");
  });
});

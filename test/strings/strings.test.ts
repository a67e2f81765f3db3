import { describe, expect, it } from "vitest";
import { loadPageTranslator, resxUrlForPage } from "../../src/strings/page-strings";
import { decodeXmlText, parseResx } from "../../src/strings/resx";
import { createTranslator, fillPlaceholders, languageTag, pickLanguage } from "../../src/strings/translator";
import { initXrm, resxStrings } from "../helpers/xrm";
import { xrmTranslator } from "../../src/xrm/strings";

describe("translator", () => {
  it("fills numbered placeholders and leaves unknown ones", () => {
    expect(fillPlaceholders("PIN {0} for {1}; {2}", ["123456", "Case 7"])).toBe("PIN 123456 for Case 7; {2}");
  });

  it("falls back to the key for missing, empty or failing lookups", () => {
    expect(createTranslator(() => null)("Some.Key")).toBe("Some.Key");
    expect(createTranslator(() => "")("Some.Key")).toBe("Some.Key");
    expect(
      createTranslator(() => {
        throw new Error("not loaded");
      })("Some.Key"),
    ).toBe("Some.Key");
  });

  it("picks Dutch for 1043 and English for anything else", () => {
    expect(pickLanguage(1043)).toBe(1043);
    expect(pickLanguage(1031)).toBe(1033);
    expect(pickLanguage(undefined)).toBe(1033);
    expect([1043, 1033, 1031, null].map(languageTag)).toEqual(["nl", "en", "en", "en"]);
  });
});

describe("RESX", () => {
  it("reads values, decodes entities and ignores comments", () => {
    const strings = parseResx(`<root><!-- <data name="Commented"><value>x</value></data> -->
      <data name="A" xml:space="preserve"><value>Fish &amp; chips &lt;b&gt; &#233;&#x20AC;</value></data>
      <data name='B'><value /></data></root>`);
    expect(strings.get("A")).toBe("Fish & chips <b> é€");
    expect(strings.get("B")).toBe("");
    expect(strings.has("Commented")).toBe(false);
    expect(decodeXmlText("&unknown;")).toBe("&unknown;");
  });

  it("ships the same keys in English and Dutch", () => {
    const english = [...resxStrings(1033).keys()].sort();
    const dutch = [...resxStrings(1043).keys()].sort();
    expect(english.length).toBeGreaterThan(0);
    expect(dutch).toEqual(english);
  });
});

describe("page strings", () => {
  it("loads the user's language with English as fallback for missing keys", async () => {
    const requested: string[] = [];
    const t = await loadPageTranslator(1043, (url) => {
      requested.push(url);
      return Promise.resolve(
        url.includes("1043")
          ? `<root><data name="Hello"><value>Hallo {0}</value></data></root>`
          : `<root><data name="Hello"><value>Hello {0}</value></data><data name="Only.English"><value>Only English</value></data></root>`,
      );
    });
    expect(requested).toEqual([resxUrlForPage(1043), resxUrlForPage(1033)]);
    expect(t("Hello", "Dana")).toBe("Hallo Dana");
    expect(t("Only.English")).toBe("Only English");
    expect(t("Missing.Key")).toBe("Missing.Key");
  });

  it("still answers keys when the strings cannot be fetched", async () => {
    const t = await loadPageTranslator(1033, () => Promise.reject(new Error("offline")));
    expect(t("Common.Copied")).toBe("Common.Copied");
  });
});

describe("xrmTranslator", () => {
  it("reads the RESX strings of the user's language through getResourceString", () => {
    initXrm({ languageId: 1043 });
    expect(xrmTranslator()("Common.Copy")).toBe("Kopiëren");
    initXrm({ languageId: 1033 });
    expect(xrmTranslator()("Common.Copy")).toBe("Copy");
  });
});

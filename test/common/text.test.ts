/**
 * src/common/text.ts: the product's one rule for cutting text — lengths in UTF-16 code units, the
 * cut between two user-perceived characters. Checked against the characters Intl.Segmenter sees.
 */
import { describe, expect, it } from "vitest";
import { keepTextEnd, truncateText } from "../../src/common/text";
import { pick, seededRandom } from "../helpers/seeded-random";

const characters = (text: string): string[] => [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)].map((s) => s.segment);

/** Characters of 1 to 11 code units: ASCII, é decomposed, a surrogate pair, a flag, ZWJ sequences, CJK. */
const PIECES = ["a", "Z", " ", "e\u0301", "é", "😀", "🇳🇱", "👩‍💻", "👨‍👩‍👧‍👦", "漢", "\r\n", "a\u0301\u0302\u0303"];

function randomText(next: () => number): string {
  return Array.from({ length: Math.floor(next() * 40) }, () => pick(next, PIECES)).join("");
}

describe("truncateText and keepTextEnd", () => {
  const cases: [string, typeof truncateText, string, number, string][] = [
    ["within the limit", truncateText, "Jan de Vries", 64, "Jan de Vries"],
    ["a surrogate pair counts 2", truncateText, "😀", 2, "😀"],
    ["half a surrogate pair does not fit", truncateText, "😀", 1, ""],
    ["nothing fits in 0", truncateText, "abc", 0, ""],
    ["a surrogate pair at the cut", truncateText, "ab😀", 3, "ab"],
    ["a combined character at the cut", truncateText, "abe\u0301c", 3, "ab"],
    ["a flag at the cut", truncateText, "x🇳🇱", 3, "x"],
    ["a ZWJ sequence at the cut", truncateText, "x👩‍💻", 4, "x"],
    ["the end within the limit", keepTextEnd, "abc", 3, "abc"],
    ["no end fits in 0", keepTextEnd, "abc", 0, ""],
    ["a surrogate pair at the start of the end", keepTextEnd, "😀ab", 3, "ab"],
    ["a combined character at the start of the end", keepTextEnd, "e\u0301ab", 3, "ab"],
    ["a flag at the start of the end", keepTextEnd, "🇳🇱ab", 5, "ab"],
    ["a flag that fits whole", keepTextEnd, "🇳🇱ab", 6, "🇳🇱ab"],
  ];
  it.each(cases)("%s", (_what, cut, text, limit, expected) => {
    expect(cut(text, limit)).toBe(expected);
  });

  it("give the longest whole-character start or end that fits, for any text and limit", () => {
    const next = seededRandom(7_341);
    for (let run = 0; run < 3_000; run += 1) {
      const text = randomText(next);
      const limit = Math.floor(next() * (text.length + 3));
      const whole = characters(text);
      const start = truncateText(text, limit);
      const end = keepTextEnd(text, limit);
      expect(start.length).toBeLessThanOrEqual(limit);
      expect(end.length).toBeLessThanOrEqual(limit);
      // Whole characters: the first k characters, and one more would not fit.
      const k = characters(start).length;
      expect(start).toBe(whole.slice(0, k).join(""));
      if (k < whole.length) expect(start.length + (whole[k]?.length ?? 0)).toBeGreaterThan(limit);
      const j = characters(end).length;
      expect(end).toBe(whole.slice(whole.length - j).join(""));
      if (j < whole.length) expect(end.length + (whole[whole.length - j - 1]?.length ?? 0)).toBeGreaterThan(limit);
    }
  });

  it("cut a 1 MiB text near its end to whole characters", () => {
    const text = `${"a".repeat(1_048_574)}👩‍💻tail`;
    expect(truncateText(text, 1_048_576)).toBe("a".repeat(1_048_574));
    expect(keepTextEnd(text, 7)).toBe("tail");
  });
});

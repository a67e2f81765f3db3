/**
 * src/shared/text.ts: the product's one rule for cutting text — lengths in UTF-16 code units, the
 * cut between two user-perceived characters. Checked against the characters Intl.Segmenter sees.
 */
import { describe, expect, it } from "vitest";
import { keepTextEnd, truncateText } from "../../src/shared/text";
import { pick, seededRandom } from "../helpers/seeded-random";

const characters = (text: string): string[] => [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)].map((s) => s.segment);

/** Characters of 1 to 11 code units: ASCII, é decomposed, a surrogate pair, a flag, ZWJ sequences, CJK. */
const PIECES = ["a", "Z", " ", "e\u0301", "é", "😀", "🇳🇱", "👩‍💻", "👨‍👩‍👧‍👦", "漢", "\r\n", "a\u0301\u0302\u0303"];

function randomText(next: () => number): string {
  return Array.from({ length: Math.floor(next() * 40) }, () => pick(next, PIECES)).join("");
}

describe("truncateText and keepTextEnd", () => {
  it("leave text within the limit alone and count UTF-16 code units", () => {
    expect(truncateText("Jan de Vries", 64)).toBe("Jan de Vries");
    expect(truncateText("😀", 2)).toBe("😀");
    expect(truncateText("😀", 1)).toBe("");
    expect(keepTextEnd("abc", 3)).toBe("abc");
    expect(truncateText("abc", 0)).toBe("");
    expect(keepTextEnd("abc", 0)).toBe("");
  });

  it("never split a surrogate pair, a combined character, a flag or a ZWJ sequence", () => {
    expect(truncateText("ab😀", 3)).toBe("ab");
    expect(truncateText("abe\u0301c", 3)).toBe("ab");
    expect(truncateText("x🇳🇱", 3)).toBe("x");
    expect(truncateText("x👩‍💻", 4)).toBe("x");
    expect(keepTextEnd("😀ab", 3)).toBe("ab");
    expect(keepTextEnd("e\u0301ab", 3)).toBe("ab");
    expect(keepTextEnd("🇳🇱ab", 5)).toBe("ab");
    expect(keepTextEnd("🇳🇱ab", 6)).toBe("🇳🇱ab");
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

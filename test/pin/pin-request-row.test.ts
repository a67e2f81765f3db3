/**
 * The name of the PIN request row (src/pin/pin-request-row.ts): "<Case number or title> <time>",
 * cut to `lmi_name`'s length by the product's one rule (whole characters).
 */
import { describe, expect, it } from "vitest";
import * as PinRequest from "../../src/model/pin-request";
import { pinRequestName } from "../../src/pin/pin-request-row";

const AT = new Date(2026, 11, 2, 9, 41, 7);
const TIME = "2026-12-02 09:41:07";

describe("pinRequestName", () => {
  it("is the Case label and the local time", () => {
    expect(pinRequestName(" CAS-01001-Z8K4P2 ", AT)).toBe(`CAS-01001-Z8K4P2 ${TIME}`);
    expect(pinRequestName("", AT)).toBe(TIME);
  });

  it("fits the column, cutting the label between two characters", () => {
    const room = PinRequest.maxLength.name - TIME.length - 1;
    const long = pinRequestName("x".repeat(300), AT);
    expect(long).toBe(`${"x".repeat(room)} ${TIME}`);
    expect(long).toHaveLength(PinRequest.maxLength.name);
    // A title whose last character that would fit is a ZWJ sequence straddling the limit: it is left out whole.
    const title = `${"t".repeat(room - 2)}👩‍💻 and more`;
    expect(pinRequestName(title, AT)).toBe(`${"t".repeat(room - 2)} ${TIME}`);
  });
});

/** The PIN dialog's pure parts: dialog data, formatting, the email draft. */
import { describe, expect, it } from "vitest";
import { EmailActivity } from "../../../src/model/standard-tables";
import { buildEmailDraft, escapeHtml } from "../../../src/pages/pin/email-draft";
import { directLink, formatGeneratedAt, formatPin, spokenPin } from "../../../src/pages/pin/format";
import { decodePinDialogData, encodePinDialogData } from "../../../src/pin/dialog-data";
import { createTranslator } from "../../../src/strings/translator";
import { resxStrings } from "../../helpers/xrm";
import { PIN_DIALOG_DATA } from "./support/pin-dialog-data";

const DATA = PIN_DIALOG_DATA;

describe("dialog data", () => {
  it("round-trips and carries no more than the dialog needs", () => {
    const encoded = encodePinDialogData(DATA);
    expect(decodePinDialogData(encoded)).toEqual(DATA);
    expect(Object.keys(Object.fromEntries(new URLSearchParams(encoded))).sort()).toEqual(["at", "case", "cid", "ct", "no", "pin"]);
  });

  it("rejects what is not a PIN for a Case, and drops a malformed customer or time", () => {
    expect(decodePinDialogData(null)).toBeNull();
    expect(decodePinDialogData("pin=12345&case=8b0c3c5e-1f2a-4d6b-9e7f-0a1b2c3d4e5f")).toBeNull();
    expect(decodePinDialogData("pin=123456&case=<script>")).toBeNull();
    expect(decodePinDialogData("pin=123456&case=8b0c3c5e-1f2a-4d6b-9e7f-0a1b2c3d4e5f&ct=systemuser&cid=x&at=yesterday")).toEqual({
      pin: "123456",
      caseId: "8b0c3c5e-1f2a-4d6b-9e7f-0a1b2c3d4e5f",
      caseNumber: "",
      customer: null,
      generatedAt: "",
    });
  });
});

describe("formatting", () => {
  it("groups, spells and links the PIN", () => {
    expect(formatPin("012345")).toBe("012 345");
    expect(spokenPin("012345")).toBe("0 1 2 3 4 5");
    expect(directLink("012345")).toBe("https://secure.logmeinrescue.com/R?i=2&Code=012345");
  });

  it("writes the time in the user's language", () => {
    expect(formatGeneratedAt(DATA.generatedAt, 1033, "UTC")).toBe("Dec 2, 2026, 9:41 AM");
    expect(formatGeneratedAt(DATA.generatedAt, 1043, "Europe/Amsterdam")).toBe("2 dec 2026, 10:41");
    expect(formatGeneratedAt("", 1033)).toBe("");
  });
});

describe("email draft", () => {
  const t = createTranslator((key) => resxStrings(1043).get(key));

  it("is a draft regarding the Case, from the agent to the customer (an account here), in the agent's language", () => {
    const draft = buildEmailDraft({ data: { ...DATA, customer: DATA.customer ?? { id: "", entityType: "contact" } }, userId: "{3F2504E0-4F89-11D3-9A0C-0305E82C3301}", t });
    expect(draft).toMatchObject({
      subject: "Ondersteuning op afstand voor case CAS-01001-Z8K4P2: uw pincode 004 711",
      directioncode: true,
      "regardingobjectid_incident_email@odata.bind": `/incidents(${DATA.caseId})`,
      email_activity_parties: [
        { "partyid_systemuser@odata.bind": "/systemusers(3f2504e0-4f89-11d3-9a0c-0305e82c3301)", participationtypemask: 1 },
        { "partyid_account@odata.bind": "/accounts(a1b2c3d4-0000-4000-8000-0000000000aa)", participationtypemask: 2 },
      ],
    });
    expect(draft.description).toBe(
      "<p>Hallo,</p><p>Start alstublieft een sessie voor ondersteuning op afstand, zodat wij u op uw computer kunnen helpen:</p>" +
        '<ol><li>Ga naar <a href="https://www.LogMeIn123.com">www.LogMeIn123.com</a>.</li><li>Voer pincode <strong>004 711</strong> in.</li></ol>' +
        '<p>Of open deze koppeling, die de sessie start met de pincode al ingevuld: <a href="https://secure.logmeinrescue.com/R?i=2&amp;Code=004711">https://secure.logmeinrescue.com/R?i=2&amp;Code=004711</a></p>' +
        "<p>Case: CAS-01001-Z8K4P2</p><p>Met vriendelijke groet,</p>",
    );
  });

  it("cuts a subject longer than the email's subject column (200) between two characters, never inside one", () => {
    expect(EmailActivity.maxLength.subject).toBe(200);
    const withCustomer = { ...DATA, customer: DATA.customer ?? { id: "", entityType: "contact" as const } };
    // A translation that puts an emoji (two UTF-16 code units) across the limit: code units 199 and 200.
    const subjectOf = (template: string): string => String(buildEmailDraft({ data: withCustomer, userId: DATA.caseId, t: createTranslator((key) => (key === "Pin.EmailSubject" ? template : resxStrings(1033).get(key))) }).subject);
    const acrossTheLimit = subjectOf(`${"x".repeat(199)}😀 {0} {1}`);
    expect(acrossTheLimit).toBe("x".repeat(199));
    // A combined character (e + combining acute) is not split either: the accent stays with its letter or both go.
    expect(subjectOf(`${"x".repeat(199)}e\u0301 {1}`)).toBe("x".repeat(199));
    const exactly = subjectOf(`${"x".repeat(190)}{1}`);
    expect(exactly).toBe(`${"x".repeat(190)}004 711`);
    expect(subjectOf("y".repeat(500))).toBe("y".repeat(200));
  });

  it("escapes every value and every translation", () => {
    const hostile = createTranslator((key) => (key === "Pin.EmailGreeting" ? "<img src=x onerror=alert(1)> {0}" : resxStrings(1033).get(key)));
    const draft = buildEmailDraft({ data: { ...DATA, caseNumber: `"><script>alert(1)</script>`, customer: { id: DATA.caseId, entityType: "contact" } }, userId: DATA.caseId, t: hostile });
    expect(String(draft.description)).not.toMatch(/<script|<img/);
    expect(String(draft.description)).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(String(draft.description)).toContain("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(escapeHtml(`&<>"'`)).toBe("&amp;&lt;&gt;&quot;&#39;");
  });
});

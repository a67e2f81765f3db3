import { describe, expect, test } from "vitest";
import { parseRescuePost, POST_VARIABLES, PostRejected, type RescuePost } from "../../src/service/post-parser";
import { formBody, fullPost, xmlBody } from "./support/harness";

const parse = (body: string | Buffer, contentType: string | undefined): RescuePost =>
  parseRescuePost({ body: typeof body === "string" ? Buffer.from(body, "utf8") : body, contentType });

function rejected(body: string | Buffer, contentType: string | undefined): PostRejected {
  try {
    parse(body, contentType);
  } catch (error) {
    if (error instanceof PostRejected) return error;
    throw error;
  }
  throw new Error("expected the post to be refused");
}

describe("Post to URL parser", () => {
  test("XML form: lower-case children of <session>, every variable read", () => {
    const values = fullPost("4711", { ChatLog: "line 1\nline 2 <b>&</b>", Notes: "notes", Tracking0: "abc" });
    const post = parse(xmlBody(values), "text/xml; charset=utf-8");
    expect(post.format).toBe("xml");
    expect(post.sessionId).toBe("4711");
    for (const name of POST_VARIABLES) expect(post.fields[name], name).toBe(values[name]);
  });

  test("HTML form fields: CamelCase names, every variable read, UTF-8", () => {
    const values = fullPost("4712", { ChatLog: "Grüße ✓ 😀", Notes: "a+b=c&d" });
    const post = parse(formBody(values), "application/x-www-form-urlencoded");
    expect(post.format).toBe("form");
    for (const name of POST_VARIABLES) expect(post.fields[name], name).toBe(values[name]);
  });

  test("names are matched case-insensitively; other roots and unknown elements are accepted", () => {
    const post = parse("<RescueSession><SESSIONID>9</SESSIONID><TechName>T</TechName><extra><x>1</x></extra><note>n</note></RescueSession>", "application/xml");
    expect(post.fields).toMatchObject({ SessionID: "9", TechName: "T", Notes: "n" });
    const form = parse("sessionid=9&TECHNAME=T&Note=n&Unknown=1", "application/x-www-form-urlencoded");
    expect(form.fields).toMatchObject({ SessionID: "9", TechName: "T", Notes: "n" });
  });

  test("Notes wins over Note when both are sent", () => {
    expect(parse("SessionID=1&Note=old&Notes=new", "application/x-www-form-urlencoded").fields.Notes).toBe("new");
    expect(parse("SessionID=1&Notes=new&Note=old", "application/x-www-form-urlencoded").fields.Notes).toBe("new");
  });

  test("XML character references and CDATA are decoded", () => {
    const post = parse("<session><sessionid>1</sessionid><chatlog><![CDATA[<i>hi</i>]]> &#x263A; &#9731; &amp;#65;</chatlog></session>", "text/xml");
    expect(post.fields.ChatLog).toBe("<i>hi</i> ☺ ☃ &#65;");
  });

  test("the end of a session is a post with a ClosingTime, and only that", () => {
    expect(parse("SessionID=1", "application/x-www-form-urlencoded").event).toBe("start");
    expect(parse("SessionID=1&ClosingTime=", "application/x-www-form-urlencoded").event).toBe("start");
    expect(parse("SessionID=1&ClosingTime=%20", "application/x-www-form-urlencoded").event).toBe("start");
    expect(parse("SessionID=1&ClosingTime=2024-01-01 10:00:00", "application/x-www-form-urlencoded").event).toBe("end");
    expect(parse("<session><sessionid>1</sessionid><closingtime>3/5/2024 10:00 AM</closingtime></session>", "text/xml").event).toBe("end");
  });

  test("the body decides XML or form when the content type disagrees; every XML and form label and none work", () => {
    const xml = "<session><sessionid>11</sessionid><chatlog>hi</chatlog></session>";
    const form = "SessionID=11&ChatLog=hi";
    for (const type of ["text/xml", "application/xml", "application/x-xml", "application/soap+xml", "application/x-www-form-urlencoded", "text/plain", "application/octet-stream", undefined, "", "nonsense"]) {
      expect(parse(xml, type), String(type)).toMatchObject({ format: "xml", sessionId: "11", fields: { ChatLog: "hi" } });
      expect(parse(form, type), String(type)).toMatchObject({ format: "form", sessionId: "11", fields: { ChatLog: "hi" } });
    }
    expect(parse(`\r\n  ${xml}`, "application/x-www-form-urlencoded").format).toBe("xml");
    // Formats Rescue does not send are refused when the body is not XML.
    expect(rejected('{"SessionID":1}', "application/json").status).toBe(415);
    expect(rejected("--x\r\n", "multipart/form-data; boundary=x").status).toBe(415);
    expect(parse(xml, "application/json").format).toBe("xml");
  });

  test("encodings: UTF-8 (with or without BOM), UTF-16 LE and BE (BOM or declaration), declared single-byte charsets, wrong labels ignored", () => {
    const xml = '<?xml version="1.0" encoding="utf-16"?><session><sessionid>12</sessionid><techname>Jürgen 😀</techname></session>';
    const utf16be = (text: string): Buffer => Buffer.from(text, "utf16le").swap16();
    const bodies: [string, Buffer, string | undefined][] = [
      ["UTF-16LE with BOM", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, "utf16le")]), "text/xml"],
      ["UTF-16BE with BOM", Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(xml)]), "text/xml; charset=utf-8"],
      ["UTF-16LE without BOM", Buffer.from(xml, "utf16le"), "application/xml"],
      ["UTF-16BE without BOM", utf16be(xml), undefined],
      ["UTF-8 with BOM", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml.replace("utf-16", "utf-8"))]), "text/xml"],
      // The classic .NET mistake: a utf-16 declaration on UTF-8 bytes.
      ["UTF-8 labelled utf-16", Buffer.from(xml), "text/xml; charset=utf-16"],
    ];
    for (const [name, body, type] of bodies) expect(parse(body, type).fields.TechName, name).toBe("Jürgen 😀");

    const latin1Xml = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><session><sessionid>13</sessionid><techname>J'), Buffer.from([0xfc]), Buffer.from("rgen</techname></session>")]);
    expect(parse(latin1Xml, "text/xml").fields.TechName).toBe("Jürgen");
    const latin1Form = Buffer.concat([Buffer.from("SessionID=13&TechName=J"), Buffer.from([0xfc]), Buffer.from("rgen")]);
    expect(parse(latin1Form, "application/x-www-form-urlencoded; charset=ISO-8859-1").fields.TechName).toBe("Jürgen");
    // Without a label, bytes that are not UTF-8 are read as Windows-1252 rather than refused.
    expect(parse("SessionID=13&TechName=J%FCrgen", "application/x-www-form-urlencoded").fields.TechName).toBe("Jürgen");
    expect(parse(latin1Xml.toString("latin1").replace(' encoding="ISO-8859-1"', ""), undefined).sessionId).toBe("13");
    const noDeclaration = Buffer.concat([Buffer.from("<session><sessionid>13</sessionid><techname>J"), Buffer.from([0xfc]), Buffer.from("rgen</techname></session>")]);
    expect(parse(noDeclaration, "text/xml").fields.TechName).toBe("Jürgen");
    // Labelled UTF-8 but not valid: the bad bytes become U+FFFD, the post is kept.
    const broken = Buffer.concat([Buffer.from("<session><sessionid>14</sessionid><techname>a"), Buffer.from([0xff, 0xfe]), Buffer.from("b</techname></session>")]);
    expect(parse(broken, "text/xml; charset=utf-8").fields.TechName).toBe("a\uFFFD\uFFFDb");
    // An unknown label is ignored.
    expect(parse("SessionID=15&TechName=x", "application/x-www-form-urlencoded; charset=klingon").fields.TechName).toBe("x");
  });

  test("XML: character references, CDATA, comments and processing instructions anywhere; DTD syntax inside CDATA or a comment is text", () => {
    const body =
      '<?xml version="1.0"?><!-- made by Rescue --><?app x?><session xmlns:r="urn:x" a="1">' +
      "<sessionid>16</sessionid>" +
      "<techname>caf&#233; &#x1F600; &#8212; &amp;&lt;&gt;&quot;&apos;</techname>" +
      "<chatlog><![CDATA[Tom & Jerry <b>bold</b> <!DOCTYPE x> <!ENTITY e 'v'> &nope;]]></chatlog>" +
      "<notes>a<!-- <!DOCTYPE y> -->b<?pi data?>c<![CDATA[]]]]><![CDATA[>]]></notes>" +
      "<r:platform>Windows</r:platform>" +
      "</session><!-- after --><?after?>";
    const post = parse(body, "text/xml");
    expect(post.fields).toMatchObject({
      SessionID: "16",
      TechName: "café 😀 — &<>\"'",
      ChatLog: "Tom & Jerry <b>bold</b> <!DOCTYPE x> <!ENTITY e 'v'> &nope;",
      Notes: "abc]]>",
      Platform: "Windows",
    });
  });

  test("XML: a variable's text is read also around child elements; references to characters XML forbids and raw control characters do not refuse the post", () => {
    expect(parse("<session><sessionid>17</sessionid><chatlog>a<b>c</b>d</chatlog></session>", "text/xml").fields.ChatLog).toBe("acd");
    expect(parse("<session><sessionid>17</sessionid><chatlog>x\u0001y</chatlog></session>", "text/xml").fields.ChatLog).toBe("xy");
    expect(parse("<session><sessionid>17</sessionid><chatlog>x&#x1;y</chatlog></session>", "text/xml").fields.ChatLog).toBe("x&#x1;y");
  });

  test("SessionID: white space at the ends is trimmed; anything else outside 1–20 of A–Z a–z 0–9 _ - is refused, never rewritten", () => {
    expect(parse("SessionID=%20%09700091%0D%0A", "application/x-www-form-urlencoded").sessionId).toBe("700091");
    expect(parse("<session><sessionid>\n  700091\n</sessionid></session>", "text/xml").sessionId).toBe("700091");
    for (const id of ["700%0091", "700%0191", "700%7F91", "70%E2%80%8B091", "700%2091", "700.91", "700%EF%BF%BD91"]) {
      expect(rejected(`SessionID=${id}`, "application/x-www-form-urlencoded").reason, id).toBe("SessionID is not a plausible Rescue session id");
    }
    expect(rejected("<session><sessionid>700&#1;91</sessionid></session>", "text/xml").status).toBe(400);
    expect(rejected("<session><sessionid>700\u000091</sessionid></session>", "text/xml").reason).toBe("SessionID is not a plausible Rescue session id");
  });

  test("hostile XML is refused: DTD, billion laughs, external entity, undefined entity, broken, deep, duplicated", () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><session><sessionid>1</sessionid><chatlog>&lol2;</chatlog></session>`;
    const external = `<?xml version="1.0"?><!DOCTYPE s [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><session><sessionid>1</sessionid><chatlog>&xxe;</chatlog></session>`;
    expect(rejected(laughs, "text/xml").reason).toMatch(/DTD/);
    expect(rejected(external, "text/xml").reason).toMatch(/DTD/);
    expect(rejected("<!DOCTYPE session><session><sessionid>1</sessionid></session>", "text/xml").reason).toMatch(/DTD/);
    expect(rejected("<session><!ENTITY a 'b'><sessionid>1</sessionid></session>", "text/xml").status).toBe(400);
    expect(rejected("<session><sessionid>1</sessionid><chatlog>&xxe;</chatlog></session>", "text/xml").reason).toMatch(/entity/);
    expect(rejected("<session><sessionid>1</sessionid><chatlog>&nbsp;</chatlog></session>", "text/xml").reason).toMatch(/entity/);
    expect(rejected("<session><sessionid>1</sessionid><chatlog>x</session>", "text/xml").status).toBe(400);
    expect(rejected("<session><sessionid>1</sessionid></session><session/>", "text/xml").status).toBe(400);
    expect(rejected("<a>" + "<b>".repeat(200) + "</b>".repeat(200) + "</a>", "text/xml").status).toBe(400);
    expect(rejected("<session><sessionid>1</sessionid><sessionid>2</sessionid></session>", "text/xml").reason).toMatch(/more than once/);
    expect(rejected("SessionID=1&SessionID=2", "application/x-www-form-urlencoded").reason).toMatch(/more than once/);
  });

  test("no session id, or an implausible one, is refused", () => {
    expect(rejected("<session><techid>1</techid></session>", "text/xml").reason).toBe("no SessionID in the post");
    expect(rejected("TechID=1", "application/x-www-form-urlencoded").reason).toBe("no SessionID in the post");
    expect(rejected("SessionID=%20%20", "application/x-www-form-urlencoded").reason).toBe("no SessionID in the post");
    expect(rejected("SessionID=1'%20or%201=1", "application/x-www-form-urlencoded").status).toBe(400);
    expect(rejected(`SessionID=${"9".repeat(21)}`, "application/x-www-form-urlencoded").status).toBe(400);
  });

  test("control characters and lone surrogates are cleaned out of values", () => {
    const post = parse("SessionID=1&ChatLog=a%00b%07c%0Ad%09e&TechName=%ED%A0%80x", "application/x-www-form-urlencoded");
    expect(post.fields.ChatLog).toBe("abc\nd\te");
    expect(post.fields.TechName).not.toMatch(/[\uD800-\uDFFF]/);
  });

  test("the digest is equal for identical posts in either form and differs otherwise", () => {
    const values = fullPost("77", { ChatLog: "hello" });
    const a = parse(xmlBody(values), "text/xml");
    const b = parse(formBody(values), "application/x-www-form-urlencoded");
    const c = parse(formBody({ ...values, WorkTime: "601" }), "application/x-www-form-urlencoded");
    expect(a.digest).toBe(b.digest);
    expect(c.digest).not.toBe(a.digest);
  });
});

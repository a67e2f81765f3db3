import { describe, expect, test } from "vitest";
import { parseRescuePost, POST_VARIABLES, PostRejected, type RescuePost } from "../../src/service/post-parser";
import { formBody, fullPost, xmlBody } from "./support/harness";

const parse = (body: string, contentType: string | undefined, event?: string): RescuePost =>
  parseRescuePost({ body: Buffer.from(body, "utf8"), contentType, event });

function rejected(body: string, contentType: string | undefined, event?: string): PostRejected {
  try {
    parse(body, contentType, event);
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

  test("event: ?event wins; otherwise a non-empty ClosingTime means end", () => {
    expect(parse("SessionID=1", "application/x-www-form-urlencoded").event).toBe("start");
    expect(parse("SessionID=1&ClosingTime=", "application/x-www-form-urlencoded").event).toBe("start");
    expect(parse("SessionID=1&ClosingTime=2024-01-01 10:00:00", "application/x-www-form-urlencoded").event).toBe("end");
    expect(parse("SessionID=1", "application/x-www-form-urlencoded", "END").event).toBe("end");
    expect(parse("SessionID=1&ClosingTime=x", "application/x-www-form-urlencoded", "start").event).toBe("start");
    expect(rejected("SessionID=1", "application/x-www-form-urlencoded", "hold").status).toBe(400);
  });

  test("a missing content type is sniffed; other content types and charsets are refused with 415", () => {
    expect(parse("<session><sessionid>1</sessionid></session>", undefined).format).toBe("xml");
    expect(parse("SessionID=1", undefined).format).toBe("form");
    expect(rejected('{"SessionID":1}', "application/json").status).toBe(415);
    expect(rejected("SessionID=1", "text/plain").status).toBe(415);
    expect(rejected("SessionID=1", "application/x-www-form-urlencoded; charset=utf-16").status).toBe(415);
  });

  test("a Latin-1 declared body is decoded; invalid UTF-8 is refused", () => {
    const latin1 = Buffer.concat([Buffer.from("SessionID=1&TechName="), Buffer.from([0x4a, 0xfc, 0x72, 0x67, 0x65, 0x6e])]);
    expect(parseRescuePost({ body: latin1, contentType: "application/x-www-form-urlencoded; charset=ISO-8859-1", event: undefined }).fields.TechName).toBe("Jürgen");
    const bad = Buffer.concat([Buffer.from("<session><sessionid>1</sessionid><techname>"), Buffer.from([0xff, 0xfe]), Buffer.from("</techname></session>")]);
    expect(() => parseRescuePost({ body: bad, contentType: "text/xml", event: undefined })).toThrow(PostRejected);
  });

  test("hostile XML is refused: DTD, billion laughs, external entity, undefined entity, broken, deep, duplicated", () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><session><sessionid>1</sessionid><chatlog>&lol2;</chatlog></session>`;
    const external = `<?xml version="1.0"?><!DOCTYPE s [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><session><sessionid>1</sessionid><chatlog>&xxe;</chatlog></session>`;
    expect(rejected(laughs, "text/xml").reason).toMatch(/DTD/);
    expect(rejected(external, "text/xml").reason).toMatch(/DTD/);
    expect(rejected("<session><sessionid>1</sessionid><chatlog>&xxe;</chatlog></session>", "text/xml").reason).toMatch(/entity/);
    expect(rejected("<session><sessionid>1</sessionid><chatlog>x</session>", "text/xml").status).toBe(400);
    expect(rejected("<a>" + "<b>".repeat(200) + "</b>".repeat(200) + "</a>", "text/xml").status).toBe(400);
    expect(rejected("<session><sessionid>1</sessionid><sessionid>2</sessionid></session>", "text/xml").reason).toMatch(/more than once/);
    expect(rejected("SessionID=1&SessionID=2", "application/x-www-form-urlencoded").reason).toMatch(/more than once/);
    expect(rejected("<session><sessionid>1</sessionid><chatlog>a<b>c</b></chatlog></session>", "text/xml").status).toBe(400);
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

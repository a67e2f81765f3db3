/**
 * Every post Rescue can send, tried from outside as Rescue would: the in-process service on
 * 127.0.0.1 answers, and what it answered 200 arrives in the fake Dataverse as sent.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { Session, SessionStatus } from "../../src/model/schema";
import type { FakeDataverse } from "./support/fake-dataverse";
import { basicAuth, makeTempDir, removeDir, startFakeDataverse, startService, xmlBody, type RunningService } from "./support/harness";

const F = Session.fields;
let fake: FakeDataverse;
let spoolDir: string;
let running: RunningService;
let nextId = 70_000;
const newSessionId = (): string => String(nextId++);

beforeAll(async () => {
  fake = await startFakeDataverse();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(async () => {
  fake.configuration = { close: false, reassign: false };
  spoolDir = await makeTempDir();
  running = await startService(fake, spoolDir);
});
afterEach(async () => {
  await running.stop();
  await removeDir(spoolDir);
});

async function post(body: string | Buffer, contentType: string | undefined, query = ""): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { authorization: basicAuth() };
  if (contentType !== undefined) headers["content-type"] = contentType;
  const response = await fetch(`${running.baseUrl}/api/integration${query}`, { method: "POST", headers, body: typeof body === "string" ? body : new Uint8Array(body) });
  return { status: response.status, text: await response.text() };
}

async function delivered(body: string | Buffer, contentType: string | undefined, query = ""): Promise<void> {
  const response = await post(body, contentType, query);
  expect(response.status, response.text).toBe(200);
  await running.service.worker.whenIdle();
}

describe("what Rescue can send", () => {
  test("XML with character references, CDATA, comments and processing instructions is accepted and stored as meant", async () => {
    const id = newSessionId();
    await delivered(
      `<?xml version="1.0" encoding="utf-8"?><session><sessionid>${id}</sessionid><techname>Ren&#233;e &#x1F600;</techname>` +
        `<chatlog><![CDATA[10:00 Tom & Jerry: <hi>]]>&#10;10:01 caf&#233; &#8212; ok<!-- c --><?pi?></chatlog></session>`,
      "text/xml",
    );
    expect(fake.session(id)?.[F.techName]).toBe("Renée 😀");
    expect(fake.chatLog(id)).toBe("10:00 Tom & Jerry: <hi>\n10:01 café — ok");
  });

  test.each([
    ["XML labelled as a form", "xml", "application/x-www-form-urlencoded"],
    ["XML as application/x-xml", "xml", "application/x-xml"],
    ["XML as application/soap+xml", "xml", "application/soap+xml"],
    ["XML without a content type", "xml", undefined],
    ["a form labelled as XML", "form", "text/xml; charset=utf-8"],
    ["a form as text/plain", "form", "text/plain"],
    ["UTF-16 XML with a byte order mark, labelled UTF-8", "utf16", "text/xml; charset=utf-8"],
  ] as const)("%s is accepted and delivered", async (_name, kind, contentType) => {
    const id = newSessionId();
    const values = { SessionID: id, TechName: "Jürgen", ChatLog: "10:00 a: hello & bye" };
    const body =
      kind === "form"
        ? new URLSearchParams(values).toString()
        : kind === "xml"
          ? xmlBody(values)
          : Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xmlBody(values).replace("utf-8", "utf-16"), "utf16le")]);
    await delivered(body, contentType);
    expect(fake.session(id)?.[F.techName]).toBe("Jürgen");
    expect(fake.chatLog(id)).toBe("10:00 a: hello & bye");
  });

  test("the query string carries no meaning: a post closes its session (and its Case) when, and only when, it has a ClosingTime", async () => {
    fake.configuration = { close: true, reassign: false };
    const incident = fake.addIncident();
    const id = newSessionId();
    // A hold post sent to the end box (…?event=end) does not close anything.
    await delivered(new URLSearchParams({ SessionID: id, Tracking0: incident.incidentid, ChatLog: "on hold" }).toString(), "application/x-www-form-urlencoded", "?event=end");
    expect(fake.session(id)?.[F.status]).toBe(SessionStatus.Active);
    expect(incident.statecode).toBe(0);
    // Unknown and repeated values are not refused.
    await delivered(new URLSearchParams({ SessionID: id, ChatLog: "transferred" }).toString(), "application/x-www-form-urlencoded", "?event=hold&event=start");
    expect(fake.session(id)?.[F.status]).toBe(SessionStatus.Active);
    // The end post closes the session and the Case, whatever the URL says.
    await delivered(new URLSearchParams({ SessionID: id, Tracking0: incident.incidentid, ChatLog: "bye", ClosingTime: "2024-03-05T10:30:00Z" }).toString(), "application/x-www-form-urlencoded", "?event=start");
    expect(fake.session(id)?.[F.status]).toBe(SessionStatus.Closed);
    expect(incident.statecode).toBe(1);
    expect(fake.chatLog(id)).toBe("on hold\ntransferred\nbye");
  });

  test('a SessionID with characters inside that are not allowed is refused, never rewritten ("700\\u000091" does not become 70091)', async () => {
    for (const [body, type] of [
      ["SessionID=700%0091&ChatLog=x", "application/x-www-form-urlencoded"],
      ["<session><sessionid>700\u000091</sessionid><chatlog>x</chatlog></session>", "text/xml"],
      ["<session><sessionid>700&#x1;91</sessionid><chatlog>x</chatlog></session>", "text/xml"],
    ] as const) {
      const response = await post(body, type);
      expect(response.status, body).toBe(400);
      expect(response.text).toBe("SessionID is not a plausible Rescue session id");
    }
    await running.service.worker.whenIdle();
    expect(fake.session("70091")).toBeUndefined();
    expect((await post("SessionID=%20700091%0A&ChatLog=x", "application/x-www-form-urlencoded")).status).toBe(200);
  });

  test.each([
    ["Cyrillic", "Ж"],
    ["CJK", "漢"],
    ["emoji", "😀"],
  ])("a form-encoded %s chat that fills lmi_chatlog is accepted and stored whole", async (_name, character) => {
    const id = newSessionId();
    const chat = character.repeat(Session.maxLength.chatLog / character.length);
    const body = new URLSearchParams({ SessionID: id, ChatLog: chat }).toString();
    expect(body.length).toBeGreaterThan(1024 * 1024);
    await delivered(body, "application/x-www-form-urlencoded");
    expect(fake.chatLog(id)).toHaveLength(Session.maxLength.chatLog);
    expect(fake.chatLog(id) === chat).toBe(true);
  }, 60_000);
});

/**
 * End-to-end delivery against the fake Dataverse Web API over HTTPS: the in-process service
 * receives posts over HTTP on 127.0.0.1 and writes them to the fake.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { Session, SessionStatus } from "../../src/model/schema";
import type { FakeDataverse } from "./support/fake-dataverse";
import { CLIENT_SECRET } from "./support/fake-dataverse";
import {
  fullPost,
  makeTempDir,
  POST_PASSWORD,
  removeDir,
  sendPost,
  startFakeDataverse,
  startService,
  waitFor,
  type RunningService,
} from "./support/harness";

const F = Session.fields;
let fake: FakeDataverse;
let spoolDir: string;
let running: RunningService;
let nextId = 1000;
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

async function deliver(values: Record<string, string>, options: Parameters<typeof sendPost>[2] = {}): Promise<void> {
  const response = await sendPost(running.baseUrl, values, options);
  expect(response.status, response.text).toBe(200);
  await running.service.worker.whenIdle();
}

describe("delivery to Dataverse", () => {
  test.each(["xml", "form"] as const)("%s post: every variable mapped onto one lmi_session row linked to the Case", async (format) => {
    const incident = fake.addIncident();
    const id = newSessionId();
    await deliver(
      fullPost(id, { Tracking0: incident.incidentid, ChatLog: "09:15 Terry: hello\n09:16 Carla: hi", Notes: "rebooted", ClosingTime: "3/5/2024 10:00:00 AM" }),
      { format },
    );
    const row = fake.session(id);
    expect(row).toEqual({
      [F.rescueSessionId]: id,
      [F.name]: `${id} – Terry Tech`,
      [F.techId]: "1234567",
      [F.techSsoId]: "tech@contoso.com",
      [F.techName]: "Terry Tech",
      [F.techEmail]: "terry@contoso.com",
      [F.techDescr]: "Level 2 support",
      [F.cfield0]: "Carla Customer",
      [F.cfield1]: "carla@example.com",
      [F.cfield2]: "CAS-01234-ABCDEF",
      [F.cfield3]: "custom 3",
      [F.cfield4]: "custom 4",
      [F.cfield5]: "custom 5",
      [F.tracking0]: incident.incidentid,
      [F.chatLog]: "09:15 Terry: hello\n09:16 Carla: hi",
      [F.notes]: "rebooted",
      [F.waitingTime]: 42,
      [F.workTime]: 600,
      [F.pickupTime]: "2024-03-05T09:15:00Z",
      [F.closingTime]: "2024-03-05T10:00:00Z",
      [F.lastActionTime]: "2024-03-05T09:25:00Z",
      [F.transmitted]: 123456789,
      [F.platform]: "Windows 11",
      [F.tsurvey0]: "yes",
      [F.tsurvey1]: "no",
      [F.tsurvey2]: "3",
      [F.tsurvey3]: "4",
      [F.tsurvey4]: "5",
      [F.tsurvey5]: "six",
      [F.tsurvey6]: "seven",
      [F.tsurvey7]: "eight",
      [F.tsurvey8]: "nine",
      [F.tsurvey9]: "ten",
      [F.status]: SessionStatus.Closed,
      [`_${Session.caseIdNavigation}_value`]: incident.incidentid,
    });
    expect(fake.creations.get(id)).toBe(1);
    const upsert = fake.requests.find((r) => r.method === "PATCH" && r.path.includes(`lmi_rescuesessionid='${id}'`));
    expect(upsert?.headers["if-none-match"]).toBe("*");
  });

  test("chat is appended across start, hold and end posts; one row; status Active then Closed", async () => {
    const id = newSessionId();
    await deliver({ SessionID: id, ChatLog: "10:00 system: session started" }, { event: "start" });
    expect(fake.session(id)?.[F.status]).toBe(SessionStatus.Active);
    await deliver({ SessionID: id, ChatLog: "10:05 Terry: one moment\n10:06 system: on hold" }, { event: "start", format: "form" });
    await deliver({ SessionID: id, ChatLog: "10:20 system: session ended", ClosingTime: "2024-03-05T10:20:00Z", Notes: "done" });
    const row = fake.session(id);
    expect(row?.[F.chatLog]).toBe("10:00 system: session started\n10:05 Terry: one moment\n10:06 system: on hold\n10:20 system: session ended");
    expect(row?.[F.status]).toBe(SessionStatus.Closed);
    expect(row?.[F.notes]).toBe("done");
    expect(fake.creations.get(id)).toBe(1);
    const updates = fake.requests.filter((r) => r.method === "PATCH" && r.path.includes(`'${id}'`));
    expect(updates.slice(1).every((r) => /^W\/"\d+"$/.test(String(r.headers["if-match"])))).toBe(true);
  });

  test("an identical replay appends nothing and creates nothing; a late older post does not reopen the session", async () => {
    const id = newSessionId();
    const start = { SessionID: id, ChatLog: "10:00 a: first", WorkTime: "10" };
    await deliver(start, { event: "start" });
    await deliver(start, { event: "start" });
    await deliver(start, { event: "start", format: "form" });
    expect(fake.session(id)?.[F.chatLog]).toBe("10:00 a: first");
    expect(running.logs.lines.join("")).toContain("identical post already applied: skipped");

    // Out of order: the end post arrives before the hold post that preceded it.
    await deliver({ SessionID: id, ChatLog: "10:30 a: bye", ClosingTime: "2024-03-05T10:30:00Z", WorkTime: "30" });
    await deliver({ SessionID: id, ChatLog: "10:10 a: on hold", WorkTime: "20" }, { event: "start" });
    const row = fake.session(id);
    expect(row?.[F.status]).toBe(SessionStatus.Closed);
    expect(row?.[F.chatLog]).toBe("10:00 a: first\n10:30 a: bye\n10:10 a: on hold");
    expect(row?.[F.closingTime]).toBe("2024-03-05T10:30:00Z");
    expect(fake.creations.get(id)).toBe(1);
  });

  test("a replay whose ledger entry was lost (crash after the write) still does not append its chat again", async () => {
    const id = newSessionId();
    await deliver({ SessionID: id, ChatLog: "11:00 a: hello\n11:01 b: hi" }, { event: "start" });
    await removeDir(path.join(spoolDir, "applied"));
    await deliver({ SessionID: id, ChatLog: "11:00 a: hello\n11:01 b: hi" }, { event: "start" });
    expect(fake.session(id)?.[F.chatLog]).toBe("11:00 a: hello\n11:01 b: hi");
    expect(running.logs.lines.join("")).toContain("chat of this post is already stored");
  });

  test("posts of one session are applied in the order received while sessions run in parallel", async () => {
    const ids = Array.from({ length: 6 }, newSessionId);
    const sends: Promise<unknown>[] = [];
    for (const id of ids) {
      sends.push(
        (async () => {
          for (let n = 1; n <= 8; n += 1) {
            const response = await sendPost(running.baseUrl, { SessionID: id, ChatLog: `line ${n}` }, { event: "start" });
            expect(response.status).toBe(200);
          }
        })(),
      );
    }
    await Promise.all(sends);
    await running.service.worker.whenIdle();
    for (const id of ids) expect(fake.session(id)?.[F.chatLog]).toBe(Array.from({ length: 8 }, (_, i) => `line ${i + 1}`).join("\n"));
  });

  test("Case link: present → linked; malformed, unknown or unreadable Case id or none → stored without link, reason logged", async () => {
    const incident = fake.addIncident();
    const [linked, braces, malformed, unknown, none] = [newSessionId(), newSessionId(), newSessionId(), newSessionId(), newSessionId()];
    await deliver({ SessionID: linked, Tracking0: incident.incidentid });
    await deliver({ SessionID: braces, Tracking0: `{${incident.incidentid.toUpperCase()}}` });
    await deliver({ SessionID: malformed, Tracking0: "CAS-0001-not-a-guid" });
    await deliver({ SessionID: unknown, Tracking0: "0f8fad5b-d9cb-469f-a165-70867728950e" });
    await deliver({ SessionID: none });
    const caseOf = (id: string): unknown => fake.session(id)?.[`_${Session.caseIdNavigation}_value`];
    expect(caseOf(linked)).toBe(incident.incidentid);
    expect(caseOf(braces)).toBe(incident.incidentid);
    for (const id of [malformed, unknown, none]) {
      expect(fake.session(id), id).toBeDefined();
      expect(caseOf(id)).toBeUndefined();
    }
    const forbidden = fake.addIncident();
    const hidden = newSessionId();
    fake.failNext(`incidents(${forbidden.incidentid})`, [{ status: 403, body: { error: { code: "0x80040220", message: "Principal user is missing prvReadIncident privilege" } } }], "GET");
    await deliver({ SessionID: hidden, Tracking0: forbidden.incidentid });
    expect(fake.session(hidden), "stored although the Case may not be read").toBeDefined();
    expect(caseOf(hidden)).toBeUndefined();
    const logs = running.logs.lines.join("");
    expect(logs).toContain("the integration user may not read the Case named by Tracking0");
    expect(logs).toContain("Tracking0 is not a Case id");
    expect(logs).toContain("Tracking0 names a Case that does not exist");
    expect(logs).toContain("no Tracking0");
  });

  test("reassign at start: on → Case assigned to the technician's user (by tech id, SSO id or email); off → untouched", async () => {
    const techUser = "aaaaaaaa-0000-0000-0000-000000000001";
    const ssoUser = "aaaaaaaa-0000-0000-0000-000000000002";
    const mailUser = "aaaaaaaa-0000-0000-0000-000000000003";
    fake.userSettings.push({ techId: "T-1", userId: techUser }, { ssoId: "sso@contoso.com", userId: ssoUser });
    fake.systemUsers.push({ id: mailUser, email: "mail@contoso.com" });

    const off = fake.addIncident();
    await deliver({ SessionID: newSessionId(), TechID: "T-1", Tracking0: off.incidentid }, { event: "start" });
    expect(off.ownerid).not.toBe(techUser);

    fake.configuration = { close: false, reassign: true };
    const byTech = fake.addIncident();
    const bySso = fake.addIncident();
    const byMail = fake.addIncident();
    const nobody = fake.addIncident();
    await deliver({ SessionID: newSessionId(), TechID: "T-1", Tracking0: byTech.incidentid }, { event: "start" });
    await deliver({ SessionID: newSessionId(), TechID: "T-9", TechSSOID: "sso@contoso.com", Tracking0: bySso.incidentid }, { event: "start" });
    await deliver({ SessionID: newSessionId(), TechEmail: "MAIL@contoso.com", Tracking0: byMail.incidentid }, { event: "start" });
    const nobodyOwner = nobody.ownerid;
    await deliver({ SessionID: newSessionId(), TechID: "T-404", TechEmail: "who@x.com", Tracking0: nobody.incidentid }, { event: "start" });
    expect(byTech.ownerid).toBe(techUser);
    expect(bySso.ownerid).toBe(ssoUser);
    expect(byMail.ownerid).toBe(mailUser);
    expect(nobody.ownerid).toBe(nobodyOwner);
    expect(running.logs.lines.join("")).toContain("technician has no Dynamics user");

    // Already the technician's, or an end post: no owner change is sent.
    const owned = fake.addIncident(techUser);
    const before = fake.requests.length;
    await deliver({ SessionID: newSessionId(), TechID: "T-1", Tracking0: owned.incidentid }, { event: "start" });
    await deliver({ SessionID: newSessionId(), TechID: "T-1", Tracking0: off.incidentid, ClosingTime: "2024-01-01 10:00" });
    expect(fake.requests.slice(before).some((r) => r.method === "PATCH" && r.path.includes("incidents("))).toBe(false);
  });

  test("reassign when a technician arrives (the first post, or a transfer to another TechID), not on hold or refresh posts that would undo a person's reassignment", async () => {
    const first = "aaaaaaaa-0000-0000-0000-000000000011";
    const second = "aaaaaaaa-0000-0000-0000-000000000012";
    const supervisor = "aaaaaaaa-0000-0000-0000-000000000013";
    fake.userSettings.push({ techId: "T-11", userId: first }, { techId: "T-12", userId: second });
    fake.configuration = { close: false, reassign: true };
    const incident = fake.addIncident();
    const id = newSessionId();

    await deliver({ SessionID: id, TechID: "T-11", Tracking0: incident.incidentid, ChatLog: "10:00 Terry: hello" });
    expect(incident.ownerid).toBe(first);

    // A person moves the Case during the session; the technician's hold and refresh posts leave it there.
    incident.ownerid = supervisor;
    const before = fake.requests.length;
    await deliver({ SessionID: id, TechID: "T-11", Tracking0: incident.incidentid, ChatLog: "10:05 Terry: on hold" });
    await deliver({ SessionID: id, TechID: "T-11", Tracking0: incident.incidentid, WorkTime: "300" });
    expect(incident.ownerid).toBe(supervisor);
    const later = fake.requests.slice(before);
    expect(later.some((r) => r.method === "PATCH" && r.path.includes("incidents("))).toBe(false);
    expect(later.some((r) => r.path.includes("lmi_usersettingses"))).toBe(false);
    expect(running.logs.lines.join("")).toContain("same technician as before: Case not reassigned again");

    // A transfer brings another technician: the Case follows them.
    await deliver({ SessionID: id, TechID: "T-12", Tracking0: incident.incidentid, ChatLog: "10:10 Sam: I take over" });
    expect(incident.ownerid).toBe(second);
    expect(fake.session(id)?.[F.techId]).toBe("T-12");
  });

  test("resolve at end: on → Case resolved with a subject naming the session, once; off → untouched", async () => {
    const offCase = fake.addIncident();
    await deliver({ SessionID: newSessionId(), Tracking0: offCase.incidentid, ClosingTime: "2024-01-01 10:00" });
    expect(offCase.statecode).toBe(0);

    fake.configuration = { close: true, reassign: false };
    const onCase = fake.addIncident();
    const id = newSessionId();
    await deliver({ SessionID: id, Tracking0: onCase.incidentid }, { event: "start" });
    expect(onCase.statecode).toBe(0);
    await deliver({ SessionID: id, Tracking0: onCase.incidentid, ChatLog: "bye", ClosingTime: "2024-01-01 10:00" });
    expect(onCase.statecode).toBe(1);
    expect(onCase.resolutions).toEqual([{ subject: `LogMeIn Rescue session ${id} ended`, status: 5 }]);

    // A second end post (e.g. console closed) and an already resolved or cancelled Case: no second resolution.
    await deliver({ SessionID: id, Tracking0: onCase.incidentid, ChatLog: "console closed", ClosingTime: "2024-01-01 10:01" });
    const cancelled = fake.addIncident(undefined, 2);
    await deliver({ SessionID: newSessionId(), Tracking0: cancelled.incidentid }, { event: "end" });
    expect(onCase.resolutions).toHaveLength(1);
    expect(cancelled.resolutions).toHaveLength(0);
    expect(fake.requests.filter((r) => r.path.endsWith("/CloseIncident"))).toHaveLength(1);
  });

  test("429 is retried after Retry-After, 5xx with backoff, 412 re-reads the row; nothing duplicated", async () => {
    const id = newSessionId();
    fake.failNext(`'${id}'`, [{ status: 429, headers: { "retry-after": "1" }, body: { error: { code: "0x80072322", message: "Number of requests exceeded the limit" } } }], "PATCH");
    await deliver({ SessionID: id, ChatLog: "a" });
    const patches = fake.requests.filter((r) => r.method === "PATCH" && r.path.includes(`'${id}'`));
    expect(patches).toHaveLength(2);
    expect((patches[1]?.at ?? 0) - (patches[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);

    fake.failNext(`'${id}'`, [{ status: 503 }, { status: 500, body: { error: { code: "0x80040216", message: "Unexpected" } } }, { status: 502 }]);
    await deliver({ SessionID: id, ChatLog: "b" });
    fake.failNext(`'${id}'`, [{ status: 412, body: { error: { code: "0x80060882", message: "version mismatch" } } }], "PATCH");
    await deliver({ SessionID: id, ChatLog: "c" });
    expect(fake.session(id)?.[F.chatLog]).toBe("a\nb\nc");
    expect(running.service.worker.getStats().retries).toBeGreaterThanOrEqual(4);
    expect(fake.creations.get(id)).toBe(1);
  });

  test.each([
    ["resolved", 1],
    ["cancelled", 2],
  ])("a Case %s after it was read and before CloseIncident: the end post is delivered, not dead-lettered", async (_name, stateCode) => {
    fake.configuration = { close: true, reassign: false };
    const incident = fake.addIncident();
    const id = newSessionId();
    // The service reads the Case while it is active; an agent closes it before CloseIncident.
    fake.failNext(`incidents(${incident.incidentid})`, [{ status: 200, body: { incidentid: incident.incidentid, statecode: 0, _ownerid_value: incident.ownerid } }], "GET");
    incident.statecode = stateCode;
    await deliver({ SessionID: id, Tracking0: incident.incidentid, ChatLog: "bye", ClosingTime: "2024-01-01 10:00" });
    expect(fake.requests.filter((r) => r.path.endsWith("/CloseIncident") && r.body.includes(incident.incidentid))).toHaveLength(1);
    expect(await readdir(path.join(spoolDir, "dead"))).toEqual([]);
    expect(running.service.worker.getStats()).toMatchObject({ delivered: 1, deadLettered: 0 });
    expect(fake.session(id)?.[F.status]).toBe(SessionStatus.Closed);
    expect(running.logs.lines.join("")).toContain("Case was resolved, cancelled or deleted meanwhile");
  });

  test("a Case resolved after it was read and before the reassignment: the start post is delivered, not dead-lettered", async () => {
    fake.configuration = { close: false, reassign: true };
    fake.userSettings.push({ techId: "T-77", userId: "aaaaaaaa-0000-0000-0000-000000000077" });
    const incident = fake.addIncident();
    fake.failNext(`incidents(${incident.incidentid})`, [{ status: 200, body: { incidentid: incident.incidentid, statecode: 0, _ownerid_value: incident.ownerid } }], "GET");
    incident.statecode = 1;
    await deliver({ SessionID: newSessionId(), TechID: "T-77", Tracking0: incident.incidentid });
    expect(await readdir(path.join(spoolDir, "dead"))).toEqual([]);
    expect(running.service.worker.getStats()).toMatchObject({ delivered: 1, deadLettered: 0 });
  });

  test.each([
    ["503", { status: 503, headers: { "retry-after": "120" }, body: { error: "temporarily_unavailable", error_description: "AADSTS90033: busy" } }],
    ["429", { status: 429, headers: { "retry-after": "120" }, body: { error: "too_many_requests" } }],
  ])("a sign-in endpoint answering %s is retried on the service's backoff, not after MSAL's throttle; the log says the request failed", async (_name, failure) => {
    fake.failNext("/oauth2/v2.0/token", [failure], "POST");
    const id = newSessionId();
    const started = Date.now();
    expect((await sendPost(running.baseUrl, { SessionID: id, ChatLog: "after a token failure" })).status).toBe(200);
    await waitFor(() => fake.session(id) !== undefined, 10_000, "delivery after the token failure");
    expect(Date.now() - started).toBeLessThan(10_000);
    const lines = running.logs.lines.map((line) => JSON.parse(line) as { msg: string; error?: string });
    const failed = lines.findIndex((line) => line.msg.startsWith("access token request failed"));
    const acquired = lines.findIndex((line) => line.msg === "access token acquired");
    expect(failed).toBeGreaterThanOrEqual(0);
    expect(lines[failed]?.error).toContain(`answered ${failure.status}`);
    expect(acquired).toBeGreaterThan(failed);
  });

  test("Retry-After 0 or a date in the past does not turn the backoff off", async () => {
    await running.stop();
    running = await startService(fake, spoolDir, { backoff: { initialDelayMs: 100, maxDelayMs: 100, jitter: 0 } });
    const id = newSessionId();
    const past = new Date(Date.now() - 60_000).toUTCString();
    fake.failNext(`'${id}'`, [
      { status: 503, headers: { "retry-after": "0" } },
      { status: 503, headers: { "retry-after": past } },
      { status: 429, headers: { "retry-after": "0" }, body: { error: { code: "0x80072322", message: "limit" } } },
    ], "PATCH");
    await deliver({ SessionID: id, ChatLog: "x" });
    const patches = fake.requests.filter((r) => r.method === "PATCH" && r.path.includes(`'${id}'`)).map((r) => r.at);
    expect(patches).toHaveLength(4);
    for (let i = 1; i < patches.length; i += 1) expect((patches[i] ?? 0) - (patches[i - 1] ?? 0)).toBeGreaterThanOrEqual(95);
  });

  test("401 gets a fresh token and the post is delivered", async () => {
    await deliver({ SessionID: newSessionId() });
    const issued = fake.tokensIssued;
    fake.revokeTokens();
    const id = newSessionId();
    await deliver({ SessionID: id, ChatLog: "after revocation" });
    expect(fake.tokensIssued).toBe(issued + 1);
    expect(fake.session(id)?.[F.chatLog]).toBe("after revocation");
  });

  test("the token is cached between posts", async () => {
    const issued = fake.tokensIssued;
    for (let i = 0; i < 3; i += 1) await deliver({ SessionID: newSessionId() });
    expect(fake.tokensIssued - issued).toBeLessThanOrEqual(1);
  });

  test("a permanent 4xx moves the post to dead letters with the reason; /readyz counts it; later posts flow", async () => {
    const id = newSessionId();
    fake.failNext(`'${id}'`, [{ status: 400, body: { error: { code: "0x80044331", message: "A validation error occurred." } } }], "PATCH");
    await deliver({ SessionID: id, ChatLog: "refused" });
    const dead = await readdir(path.join(spoolDir, "dead"));
    expect(dead).toHaveLength(1);
    const record = JSON.parse(await readFile(path.join(spoolDir, "dead", dead[0] ?? ""), "utf8")) as { deadLetter: { reason: string; status: number }; post: { sessionId: string } };
    expect(record.post.sessionId).toBe(id);
    expect(record.deadLetter.status).toBe(400);
    expect(record.deadLetter.reason).toContain("0x80044331");
    expect(running.service.worker.getStats().pending).toBe(0);
    const ready = (await (await fetch(`${running.baseUrl}/readyz`)).json()) as { deadLetters: number; ready: boolean };
    expect(ready.deadLetters).toBe(1);
    await deliver({ SessionID: id, ChatLog: "next one" });
    expect(fake.session(id)?.[F.chatLog]).toBe("next one");
  });

  test("restart resumes delivery from the spool, in order", async () => {
    const id = newSessionId();
    fake.failNext(`'${id}'`, Array.from({ length: 1000 }, () => ({ status: 503 })));
    for (const line of ["one", "two", "three"]) expect((await sendPost(running.baseUrl, { SessionID: id, ChatLog: line }, { event: "start" })).status).toBe(200);
    expect(running.service.worker.getStats().pending).toBe(3);
    await running.stop();
    expect(fake.session(id)).toBeUndefined();
    fake.clearFaults();
    running = await startService(fake, spoolDir);
    await running.service.worker.whenIdle();
    expect(fake.session(id)?.[F.chatLog]).toBe("one\ntwo\nthree");
    // Fully delivered segments are removed once a newer one is active.
    await running.stop();
    running = await startService(fake, spoolDir);
    expect(running.service.worker.getStats().pending).toBe(0);
    expect((await readdir(path.join(spoolDir, "segments"))).filter((name) => name.endsWith(".log"))).toHaveLength(0);
  });

  test("/readyz reports spool, Dataverse and the Session Key index; not ready while the index is not Active", async () => {
    const ok = await fetch(`${running.baseUrl}/readyz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ready: true, checks: { spool: "writable", dataverse: "reachable", sessionKeyIndex: "Active" }, deadLetters: 0 });
    fake.sessionKeyStatus = "Pending";
    const pending = await fetch(`${running.baseUrl}/readyz`);
    expect(pending.status).toBe(503);
    expect(await pending.json()).toMatchObject({ ready: false, checks: { sessionKeyIndex: "Pending" } });
    fake.sessionKeyStatus = "Active";
    fake.failNext("EntityDefinitions", [{ status: 503 }]);
    const down = await fetch(`${running.baseUrl}/readyz`);
    expect(down.status).toBe(503);
    expect(((await down.json()) as { checks: { dataverse: string } }).checks.dataverse).toMatch(/^unreachable \((HTTP \d{3}|[A-Z0-9_]+|\w+)\)$/);
    expect((await fetch(`${running.baseUrl}/healthz`)).status).toBe(200);
  });

  test("logs are JSON lines without chat text, notes, or secrets", async () => {
    const id = newSessionId();
    await deliver({ SessionID: id, ChatLog: "PRIVATE-CHAT-TEXT", Notes: "PRIVATE-NOTES", CField1: "PRIVATE-EMAIL@x.com" });
    const text = running.logs.lines.join("");
    for (const line of running.logs.lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    for (const secret of ["PRIVATE-CHAT-TEXT", "PRIVATE-NOTES", "PRIVATE-EMAIL", CLIENT_SECRET, POST_PASSWORD, "fake-token-"]) expect(text).not.toContain(secret);
  });
});

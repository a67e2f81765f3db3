/**
 * The delivery worker on its own, with a real spool and a scripted writer: failures that are
 * not Dataverse errors are retried with backoff and never escape as unhandled rejections; a
 * record that cannot be read back is never skipped silently.
 */
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { DeliveryWorker } from "../../src/service/delivery-worker";
import type { RescuePost } from "../../src/service/post-parser";
import type { ApplyOutcome } from "../../src/service/session-writer";
import { Spool, type IncomingPost } from "../../src/service/spool";
import { captureLogs, makeTempDir, removeDir, waitFor } from "./support/harness";

let dir: string;
let spool: Spool;
beforeEach(async () => {
  dir = await makeTempDir();
  spool = await Spool.open(dir);
});
afterEach(async () => {
  await spool.close();
  await removeDir(dir);
});

const formPost = (sessionId: string): IncomingPost => ({ sessionId, contentType: "application/x-www-form-urlencoded", body: Buffer.from(`SessionID=${sessionId}`) });

describe("delivery worker", () => {
  test.each([
    ["undefined", undefined],
    ["null", null],
    ["a string", "socket hang up"],
  ])("a failure thrown as %s is retried with backoff, and the post is then delivered", async (_name, thrown) => {
    const applied: string[] = [];
    let calls = 0;
    const writer = {
      apply: (value: RescuePost): Promise<ApplyOutcome> => {
        calls += 1;
        // Some libraries reject with values that are not Errors: exactly what this test needs.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        if (calls === 1) return Promise.reject(thrown);
        applied.push(value.sessionId);
        return Promise.resolve({ outcome: "applied", chatAppended: false, caseLinked: false });
      },
    };
    const logs = captureLogs();
    const worker = new DeliveryWorker({ spool, writer, logger: logs.logger, backoff: { initialDelayMs: 5, maxDelayMs: 5, jitter: 0 } });
    worker.start();
    worker.enqueue(await spool.store(formPost("4242")));
    await worker.whenIdle();
    await worker.stop();
    expect(applied).toEqual(["4242"]);
    expect(worker.getStats()).toMatchObject({ pending: 0, delivered: 1, retries: 1, deadLettered: 0 });
    expect(logs.lines.join("")).toContain('"retryInMs":5');
  });

  test("a record whose segment file disappeared becomes a dead letter, not a silent skip; the other posts are delivered", async () => {
    await spool.close();
    spool = await Spool.open(dir, { segmentBytes: 1 });
    const applied: string[] = [];
    const writer = { apply: (value: RescuePost): Promise<ApplyOutcome> => (applied.push(value.sessionId), Promise.resolve({ outcome: "applied", chatAppended: false, caseLinked: false })) };
    const lost = await spool.store(formPost("5001"));
    const kept = await spool.store(formPost("5002")); // seals the first segment, whose file is then removed
    const [firstSegment] = (await readdir(path.join(dir, "segments"))).filter((n) => n.endsWith(".log")).sort();
    await rm(path.join(dir, "segments", firstSegment!));
    const logs = captureLogs();
    const worker = new DeliveryWorker({ spool, writer, logger: logs.logger, backoff: { initialDelayMs: 5, maxDelayMs: 5, jitter: 0 } });
    worker.start();
    worker.enqueue(lost);
    worker.enqueue(kept);
    await worker.whenIdle();
    await worker.stop();
    expect(applied).toEqual(["5002"]);
    expect(worker.getStats()).toMatchObject({ pending: 0, delivered: 1, deadLettered: 1, undeliverable: 0 });
    const [deadFile] = await readdir(path.join(dir, "dead"));
    expect(JSON.parse(await readFile(path.join(dir, "dead", deadFile!), "utf8"))).toMatchObject({ seq: lost.seq, sessionId: "5001", unreadable: true });
    expect(logs.lines.join("")).toContain("spooled post cannot be read back: moved to dead letters");
  });

  test("when even the dead letter cannot be written, the post is counted as undeliverable and retried until it can be", async () => {
    const root = path.join(dir, "inner");
    await spool.close();
    spool = await Spool.open(root, { segmentBytes: 1 });
    const writer = { apply: (): Promise<ApplyOutcome> => Promise.resolve({ outcome: "applied", chatAppended: false, caseLinked: false }) };
    const lost = await spool.store(formPost("5003"));
    await spool.store(formPost("5004"));
    await rm(root, { recursive: true, force: true });
    const logs = captureLogs();
    const worker = new DeliveryWorker({ spool, writer, logger: logs.logger, backoff: { initialDelayMs: 5, maxDelayMs: 5, jitter: 0 } });
    worker.start();
    worker.enqueue(lost);
    await waitFor(() => worker.getStats().undeliverable === 1, 5_000, "the post counted as undeliverable");
    expect(worker.getStats().pending).toBe(1);
    await mkdir(root);
    await worker.whenIdle();
    await worker.stop();
    expect(worker.getStats()).toMatchObject({ pending: 0, deadLettered: 1, undeliverable: 0 });
    expect(await readdir(path.join(root, "dead"))).toHaveLength(1);
    expect(logs.lines.join("")).toContain("could not move the post to dead letters; will retry");
  });

  test("a stored post that no longer parses becomes a dead letter that keeps the body as received", async () => {
    const writer = { apply: (): Promise<ApplyOutcome> => Promise.reject(new Error("must not be called")) };
    const body = Buffer.from("<session><sessionid>5005</sessionid><chatlog>&undefined;</chatlog></session>");
    const entry = await spool.store({ sessionId: "5005", contentType: "text/xml", body });
    const worker = new DeliveryWorker({ spool, writer, logger: captureLogs().logger });
    worker.start();
    worker.enqueue(entry);
    await worker.whenIdle();
    await worker.stop();
    const [deadFile] = await readdir(path.join(dir, "dead"));
    const dead = JSON.parse(await readFile(path.join(dir, "dead", deadFile!), "utf8")) as { bodyBase64: string; contentType: string; deadLetter: { reason: string } };
    expect(Buffer.from(dead.bodyBase64, "base64").equals(body)).toBe(true);
    expect(dead.contentType).toBe("text/xml");
    expect(dead.deadLetter.reason).toContain("stored post cannot be parsed");
  });
});

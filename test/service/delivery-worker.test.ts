/**
 * The delivery worker on its own, with a real spool and a scripted writer: failures that are
 * not Dataverse errors are retried with backoff and never escape as unhandled rejections.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { DeliveryWorker } from "../../src/service/delivery-worker";
import type { RescuePost } from "../../src/service/post-parser";
import type { ApplyOutcome } from "../../src/service/session-writer";
import { Spool, type IncomingPost } from "../../src/service/spool";
import { captureLogs, makeTempDir, removeDir } from "./support/harness";

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
});

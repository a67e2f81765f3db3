/**
 * The spool directory removed, or made read-only, while posts arrive: no post is answered 200
 * that a restart would not find (the others get 503 with Retry-After), and after the directory
 * is back every post answered 200 is delivered exactly once — also across a restart.
 *
 * Dataverse refuses the session writes (503) while the posts arrive, so that they are all still
 * waiting in the spool when its files disappear; the service is then stopped, Dataverse
 * recovers, and a new service delivers what it finds on disk.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { chmod, chown, mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { FakeDataverse } from "./support/fake-dataverse";
import { freePort, REPO_ROOT, spawnService, type ChildService } from "./support/child-service";
import { basicAuth, makeTempDir, removeDir, serviceEnvironment, startFakeDataverse, startService, testCertificate, waitFor } from "./support/harness";

const SESSIONS = Array.from({ length: 8 }, (_, i) => String(660_000 + i));

let fake: FakeDataverse;
let workDir: string;

beforeAll(async () => {
  fake = await startFakeDataverse();
  fake.recordRequests = false;
  workDir = await makeTempDir("lmi-outage-");
});
afterAll(async () => {
  fake.clearFaults();
  await fake.stop();
  await removeDir(workDir);
});

/** Every session write fails with 503 until `clearFaults`. */
function dataverseDown(): void {
  fake.failNext("lmi_sessions(", Array.from({ length: 200_000 }, () => ({ status: 503 })));
}

interface Outcome {
  readonly sessionId: string;
  readonly line: string;
  readonly status: number;
  readonly retryAfter: string | null;
}

/** Senders posting unique chat lines until stopped; every answer is kept. */
class Load {
  readonly outcomes: Outcome[] = [];
  private stopped = false;
  private readonly running: Promise<void[]>;

  constructor(baseUrl: () => string, label: string, padding = "") {
    let n = 0;
    const sender = async (worker: number): Promise<void> => {
      while (!this.stopped) {
        n += 1;
        const sessionId = SESSIONS[(worker + n) % SESSIONS.length] ?? "660000";
        const line = `${label} w${worker} n${n}`;
        const body = new URLSearchParams({ SessionID: sessionId, ChatLog: line, Notes: padding }).toString();
        try {
          const response = await fetch(`${baseUrl()}/api/integration`, {
            method: "POST",
            headers: { authorization: basicAuth(), "content-type": "application/x-www-form-urlencoded" },
            body,
          });
          await response.arrayBuffer();
          this.outcomes.push({ sessionId, line, status: response.status, retryAfter: response.headers.get("retry-after") });
        } catch {
          // No answer: not acknowledged.
          this.outcomes.push({ sessionId, line, status: 0, retryAfter: null });
        }
      }
    };
    this.running = Promise.all(Array.from({ length: 4 }, (_, w) => sender(w)));
  }

  count(status: number): number {
    return this.outcomes.filter((o) => o.status === status).length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }
}

/** Each post answered 200 is in its session's chat exactly once; no other post is there at all. */
function expectExactlyOnce(outcomes: readonly Outcome[]): void {
  let missing = 0;
  let duplicated = 0;
  let phantom = 0;
  for (const outcome of outcomes) {
    const count = fake.chatLog(outcome.sessionId).split("\n").filter((l) => l === outcome.line).length;
    if (outcome.status === 200) {
      if (count === 0) missing += 1;
      if (count > 1) duplicated += 1;
    } else if (count > 0) {
      phantom += 1;
    }
  }
  expect({ missing, duplicated, phantom }).toEqual({ missing: 0, duplicated: 0, phantom: 0 });
  const refusals = outcomes.filter((o) => o.status !== 200);
  expect(refusals.every((o) => o.status === 503 && o.retryAfter !== null), JSON.stringify(refusals.slice(0, 3))).toBe(true);
}

describe("spool outage", () => {
  test("SPOOL_DIR removed while posts arrive: 503 + Retry-After until it is back, and every post answered 200 is delivered exactly once, also after a restart", async () => {
    const spoolDir = path.join(workDir, "removed", "spool");
    await mkdir(spoolDir, { recursive: true });
    dataverseDown();
    let running = await startService(fake, spoolDir);
    const load = new Load(() => running.baseUrl, "removal");
    try {
      await waitFor(() => load.count(200) >= 60, 30_000, "posts accepted");
      await rm(spoolDir, { recursive: true, force: true });
      const acceptedAtRemoval = load.count(200);
      await waitFor(() => load.count(503) >= 30, 30_000, "posts refused while SPOOL_DIR is missing");
      // While it is missing nothing more is acknowledged (at most the posts already being answered).
      expect(load.count(200) - acceptedAtRemoval).toBeLessThanOrEqual(4);
      await mkdir(spoolDir);
      const acceptedAtReturn = load.count(200);
      await waitFor(() => load.count(200) >= acceptedAtReturn + 60, 30_000, "posts accepted after SPOOL_DIR is back");
    } finally {
      await load.stop();
    }
    await running.stop();

    fake.clearFaults();
    running = await startService(fake, spoolDir);
    try {
      await running.service.worker.whenIdle();
      console.log(`SPOOL_DIR removed: ${load.count(200)} posts answered 200, ${load.count(503)} answered 503; all 200s delivered once after a restart`);
      expectExactlyOnce(load.outcomes);
      expect(await readdir(path.join(spoolDir, "dead"))).toEqual([]);
    } finally {
      await running.stop();
    }
  }, 120_000);

  test("SPOOL_DIR made read-only while posts arrive (by permissions for a non-root service, or chattr +i when only root can run it): 503 + Retry-After for what cannot be stored, and every post answered 200 is delivered exactly once after it is writable again", async (context) => {
    const protection = readOnlyProtection();
    if (protection === null) {
      context.skip("the tests run as root, user nobody cannot read the repository and chattr +i is not available: a read-only SPOOL_DIR cannot be made here");
      return;
    }
    const user = protection.kind === "permissions" ? protection.user : null;
    const setWritable = protection.kind === "permissions" ? setPermissionsWritable : setImmutable;
    const base = path.join(workDir, "read-only");
    const spoolDir = path.join(base, "spool");
    await mkdir(spoolDir, { recursive: true });
    await chmod(workDir, 0o755);
    await chmod(base, 0o755);
    const caFile = path.join(base, "ca.pem");
    await writeFile(caFile, testCertificate().certPem, { mode: 0o644 });
    if (user !== null) await chown(spoolDir, user.uid, user.gid);
    const env = { ...serviceEnvironment(fake, spoolDir, await freePort()), NODE_EXTRA_CA_CERTS: caFile, HOME: base };
    const options = user === null ? {} : { user };

    dataverseDown();
    let child: ChildService = await spawnService(env, options);
    // Large posts (300 KB of notes each) fill the 8 MiB segments quickly, so that new segment
    // files are needed while the directory is read-only.
    const load = new Load(() => child.baseUrl, "read-only", "n".repeat(300_000));
    try {
      await waitFor(() => load.count(200) >= 20, 30_000, "posts accepted");
      await setWritable(spoolDir, false);
      await waitFor(() => load.count(503) >= 10, 60_000, "posts refused while SPOOL_DIR is read-only");
      await setWritable(spoolDir, true);
      const acceptedAtReturn = load.count(200);
      await waitFor(() => load.count(200) >= acceptedAtReturn + 30, 60_000, "posts accepted after SPOOL_DIR is writable again");
    } finally {
      await load.stop();
      await setWritable(spoolDir, true);
    }
    child.process.kill("SIGTERM");
    expect((await child.exited).code).toBe(0);

    fake.clearFaults();
    child = await spawnService(env, options);
    try {
      await waitFor(
        async () => ((await (await fetch(`${child.baseUrl}/readyz`)).json()) as { pendingDeliveries: number }).pendingDeliveries === 0,
        60_000,
        "spool drained",
      );
      console.log(`SPOOL_DIR read-only (${protection.kind}, service uid ${user?.uid ?? process.getuid?.() ?? "?"}): ${load.count(200)} posts answered 200, ${load.count(503)} answered 503; all 200s delivered once after a restart`);
      expectExactlyOnce(load.outcomes);
    } finally {
      child.process.kill("SIGTERM");
      await child.exited;
    }
  }, 180_000);
});

/**
 * How SPOOL_DIR is made read-only for the service: by permissions, with the service run as
 * `nobody` when the tests run as root (root ignores permissions) or as the current user otherwise;
 * when the tests run as root and `nobody` cannot read the repository (a clone in a private
 * directory), by the immutable attribute (`chattr +i`), which binds root too; null when neither
 * works here.
 */
function readOnlyProtection(): { kind: "permissions"; user: { uid: number; gid: number } | null } | { kind: "immutable" } | null {
  if (process.getuid?.() !== 0) return { kind: "permissions", user: null };
  const nobody = { uid: 65534, gid: 65534 };
  const probe = spawnSync(process.execPath, ["-e", "require('node:fs').accessSync(process.argv[1] ?? '', require('node:fs').constants.R_OK)", path.join(REPO_ROOT, "src", "service", "main.ts")], {
    ...nobody,
    cwd: os.tmpdir(),
  });
  if (probe.status === 0) return { kind: "permissions", user: nobody };
  return immutableWorks() ? { kind: "immutable" } : null;
}

/** Whether `chattr +i` works here and stops root from creating a file in the directory. */
function immutableWorks(): boolean {
  const dir = mkdtempSync(path.join(os.tmpdir(), "lmi-immutable-"));
  try {
    if (spawnSync("chattr", ["+i", dir]).status !== 0) return false;
    try {
      writeFileSync(path.join(dir, "probe"), "x");
      return false;
    } catch {
      return true;
    } finally {
      spawnSync("chattr", ["-i", dir]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** chmod -R a-w (dirs 0555, files 0444), or back to 0755 / 0644. */
async function setPermissionsWritable(dir: string, writable: boolean): Promise<void> {
  for (const name of await readdir(dir)) {
    const file = path.join(dir, name);
    if ((await stat(file)).isDirectory()) await setPermissionsWritable(file, writable);
    else await chmod(file, writable ? 0o644 : 0o444);
  }
  await chmod(dir, writable ? 0o755 : 0o555);
}

/** chattr -R +i (nothing in it can be created, changed or removed, by root either), or -i. */
function setImmutable(dir: string, writable: boolean): Promise<void> {
  const run = spawnSync("chattr", ["-R", writable ? "-i" : "+i", dir], { encoding: "utf8" });
  return run.status === 0 ? Promise.resolve() : Promise.reject(new Error(`chattr ${writable ? "-i" : "+i"} failed: ${run.stderr}`));
}

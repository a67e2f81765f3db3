/**
 * The service as a real process: configuration errors, the standard trust store
 * (NODE_EXTRA_CA_CERTS), graceful shutdown (and a second signal), and crash safety under SIGKILL.
 */
import { access, readFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CLIENT_SECRET, type FakeDataverse } from "./support/fake-dataverse";
import { freePort, REPO_ROOT, spawnService, writeCaFile, type ChildService } from "./support/child-service";
import { makeTempDir, POST_PASSWORD, removeDir, sendPost, serviceEnvironment, startFakeDataverse, testCertificate, waitFor } from "./support/harness";

let fake: FakeDataverse;
let workDir: string;
let caFile: string;

beforeAll(async () => {
  fake = await startFakeDataverse();
  workDir = await makeTempDir("lmi-process-");
  caFile = await writeCaFile(workDir, testCertificate().certPem);
});
afterAll(async () => {
  await fake.stop();
  await removeDir(workDir);
});

async function environment(spoolName: string): Promise<Record<string, string>> {
  return { ...serviceEnvironment(fake, path.join(workDir, spoolName), await freePort()), NODE_EXTRA_CA_CERTS: caFile };
}

describe("service process", () => {
  test("a bad environment stops start-up with a clear message per variable, exit code 2, no stack trace, no secret", async () => {
    const child = await spawnService({ AZURE_CLIENT_SECRET: "do-not-print-me", PORT: "http", DATAVERSE_URL: "http://x" }, { waitForListening: false });
    const { code } = await child.exited;
    const stderr = child.stderr.join("");
    expect(code).toBe(2);
    expect(stderr).toContain("DATAVERSE_URL must use https://");
    expect(stderr).toContain("AZURE_TENANT_ID is required but not set.");
    expect(stderr).toContain("POST_PASSWORD is required but not set.");
    expect(stderr).toContain("PORT must be a whole number");
    // The pointer names documentation that exists.
    expect(stderr).toContain('See "Integration service" in README.md and .env.example');
    expect(await readFile(path.join(REPO_ROOT, "README.md"), "utf8")).toMatch(/^## Integration service$/m);
    await access(path.join(REPO_ROOT, ".env.example"));
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).not.toContain("do-not-print-me");
  });

  test("runs from environment variables only, trusts the fake through NODE_EXTRA_CA_CERTS, and stops gracefully on SIGTERM", async () => {
    const env = await environment("spool-plain");
    const child = await spawnService(env);
    try {
      const response = await sendPost(child.baseUrl, { SessionID: "880001", ChatLog: "hello over real TLS" });
      expect(response.status).toBe(200);
      await waitFor(() => fake.session("880001") !== undefined, 15_000, "delivery");
      const ready = await fetch(`${child.baseUrl}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      child.process.kill("SIGTERM");
    }
    const { code } = await child.exited;
    expect(code).toBe(0);
    const logs = child.stdout.join("\n");
    expect(logs).toContain('"msg":"integration service stopped"');
    for (const line of child.stdout) expect(() => JSON.parse(line) as unknown).not.toThrow();
    for (const secret of [CLIENT_SECRET, POST_PASSWORD, "hello over real TLS"]) expect(logs).not.toContain(secret);
  });

  test("SIGTERM ends slow and idle connections and exits 0 within 10 s", async () => {
    const env = await environment("spool-sigterm");
    const child = await spawnService(env);
    const port = Number(env.PORT);
    // A keep-alive connection left idle after a request, and a client that trickles its request
    // headers without ever sending credentials (a slow unauthenticated connection).
    const idle = net.connect(port, "127.0.0.1");
    await new Promise<void>((resolve) => idle.once("connect", () => resolve()));
    idle.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n");
    await new Promise<void>((resolve) => idle.once("data", () => resolve()));
    const slow = net.connect(port, "127.0.0.1");
    await new Promise<void>((resolve) => slow.once("connect", () => resolve()));
    slow.write("POST /api/integration HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    const trickle = setInterval(() => slow.write("X-Slow: 1\r\n"), 200);
    for (const socket of [idle, slow]) socket.on("error", () => undefined);
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const started = Date.now();
      child.process.kill("SIGTERM");
      const { code } = await child.exited;
      const elapsed = Date.now() - started;
      console.log(`SIGTERM with a slow and an idle connection: exit code ${code} after ${elapsed} ms`);
      expect(code).toBe(0);
      expect(elapsed).toBeLessThan(10_000);
      expect(child.stdout.join("\n")).toContain('"msg":"integration service stopped"');
    } finally {
      clearInterval(trickle);
      idle.destroy();
      slow.destroy();
    }
  }, 30_000);

  test("a second signal while stopping ends the process at once, with exit code 1", async () => {
    const env = await environment("spool-second-signal");
    const child = await spawnService(env);
    // A client that trickles its request headers keeps the stop waiting its 3 s.
    const slow = net.connect(Number(env.PORT), "127.0.0.1");
    await new Promise<void>((resolve) => slow.once("connect", () => resolve()));
    slow.on("error", () => undefined);
    slow.write("POST /api/integration HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    const trickle = setInterval(() => slow.write("X-Slow: 1\r\n"), 200);
    try {
      child.process.kill("SIGTERM");
      await waitFor(() => child.stdout.some((line) => line.includes('"msg":"stopping"')), 5_000, "the first signal's stop");
      const second = Date.now();
      child.process.kill("SIGINT");
      const { code } = await child.exited;
      const elapsed = Date.now() - second;
      console.log(`second signal while stopping: exit code ${code} after ${elapsed} ms`);
      expect(code).toBe(1);
      expect(elapsed).toBeLessThan(2_000);
      const lines = child.stdout.map((line) => JSON.parse(line) as { msg: string; signal?: string });
      expect(lines.find((line) => line.msg === "stopping")?.signal).toBe("SIGTERM");
      expect(lines.find((line) => line.msg === "second signal: exiting now")?.signal).toBe("SIGINT");
      expect(lines.some((line) => line.msg === "integration service stopped")).toBe(false);
    } finally {
      clearInterval(trickle);
      slow.destroy();
    }
  }, 30_000);

  test("crash safety: SIGKILL in the middle of a load; after a restart every 2xx'd post is in Dataverse exactly once", async () => {
    const env = await environment("spool-crash");
    fake.latencyMs = 3; // deliveries are in flight when the kill lands
    fake.recordRequests = false;
    const sessions = Array.from({ length: 20 }, (_, i) => String(990000 + i));
    const accepted: { sessionId: string; line: string }[] = [];
    let attempted = 0;
    let stopLoad = false;

    let child: ChildService = await spawnService(env);
    const sender = async (worker: number): Promise<void> => {
      for (let n = 0; !stopLoad; n += 1) {
        const sessionId = sessions[(worker * 7 + n) % sessions.length] ?? "990000";
        const line = `crash-test w${worker} n${n} session ${sessionId}`;
        attempted += 1;
        try {
          const response = await sendPost(child.baseUrl, { SessionID: sessionId, ChatLog: line }, { event: "start", format: n % 2 === 0 ? "xml" : "form" });
          if (response.status >= 200 && response.status < 300) accepted.push({ sessionId, line });
        } catch {
          // Connection reset by the kill: this post was not acknowledged.
        }
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, (_, w) => sender(w)));
    await waitFor(() => accepted.length >= 400, 30_000, "load");
    child.process.kill("SIGKILL");
    await child.exited;
    stopLoad = true;
    await load;

    child = await spawnService(env);
    try {
      await waitFor(
        async () => ((await (await fetch(`${child.baseUrl}/readyz`)).json()) as { pendingDeliveries: number }).pendingDeliveries === 0,
        60_000,
        "spool drained",
      );
      let duplicates = 0;
      let missing = 0;
      for (const { sessionId, line } of accepted) {
        const log = fake.chatLog(sessionId);
        const count = log.split("\n").filter((l) => l === line).length;
        if (count === 0) missing += 1;
        if (count > 1) duplicates += 1;
      }
      const rows = sessions.filter((id) => fake.session(id) !== undefined).length;
      const creations = sessions.map((id) => fake.creations.get(id) ?? 0);
      const delivered = sessions.reduce((sum, id) => sum + fake.chatLog(id).split("\n").filter((l) => l.startsWith("crash-test")).length, 0);
      console.log(
        `crash safety: ${attempted} posts sent, ${accepted.length} answered 2xx before/around SIGKILL, ${delivered} posts delivered into ${rows} rows, missing ${missing}, duplicates ${duplicates}`,
      );
      expect(missing).toBe(0);
      expect(duplicates).toBe(0);
      expect(creations.every((c) => c <= 1)).toBe(true);
      expect(delivered).toBeGreaterThanOrEqual(accepted.length);
    } finally {
      fake.latencyMs = 0;
      child.process.kill("SIGTERM");
      await child.exited;
    }
  }, 120_000);
});

import fsPromises, { appendFile, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { crc32 } from "node:zlib";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { parseRescuePost } from "../../src/service/post-parser";
import { Spool, type IncomingPost } from "../../src/service/spool";
import { makeTempDir, removeDir } from "./support/harness";

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await removeDir(dir);
});

const post = (sessionId: string, chat: string): IncomingPost => ({
  sessionId,
  contentType: "application/x-www-form-urlencoded",
  body: Buffer.from(`SessionID=${sessionId}&ChatLog=${encodeURIComponent(chat)}`),
});
const chatOf = (stored: { body: Buffer; contentType: string | undefined }): string | undefined => parseRescuePost(stored).fields.ChatLog;

describe("durable spool", () => {
  test("concurrent stores share fsyncs, keep arrival order and are recovered after a reopen", async () => {
    const spool = await Spool.open(dir);
    const entries = await Promise.all(Array.from({ length: 50 }, (_, i) => spool.store(post(String(i % 3), `chat ${i}`))));
    expect(entries.map((e) => e.seq)).toEqual([...entries.map((e) => e.seq)].sort((a, b) => a - b));
    await spool.complete(entries[0]!);
    await spool.close();

    const reopened = await Spool.open(dir);
    const recovered = reopened.recoveredEntries();
    expect(recovered.map((e) => e.seq)).toEqual(entries.slice(1).map((e) => e.seq));
    expect(chatOf(await reopened.read(recovered[0]!))).toBe("chat 1");
    const next = await reopened.store(post("9", "after restart"));
    expect(next.seq).toBeGreaterThan(entries.at(-1)!.seq);
    await reopened.close();
  });

  test("directories created at first start are made durable: the parent of each new directory is synced", async () => {
    const root = path.join(dir, "new", "spool");
    const syncedDirectories: string[] = [];
    const realOpen = fsPromises.open.bind(fsPromises);
    vi.spyOn(fsPromises, "open").mockImplementation(async (file, flags, mode) => {
      const handle = await realOpen(file, flags, mode);
      if (flags === "r") {
        const realSync = handle.sync.bind(handle);
        handle.sync = async () => {
          syncedDirectories.push(String(file));
          await realSync();
        };
      }
      return handle;
    });
    const spool = await Spool.open(root);
    await spool.close();
    // dir/new, dir/new/spool and its four subdirectories were created.
    expect(new Set(syncedDirectories)).toEqual(new Set([dir, path.join(dir, "new"), root]));

    syncedDirectories.length = 0;
    const again = await Spool.open(root);
    await again.close();
    expect(syncedDirectories).toEqual([]);
  });

  test("a torn or corrupt tail (never acknowledged) is ignored; everything before it survives", async () => {
    const spool = await Spool.open(dir);
    for (let i = 0; i < 3; i += 1) await spool.store(post("1", `line ${i}`));
    await spool.close();
    const [segment] = (await readdir(path.join(dir, "segments"))).filter((n) => n.endsWith(".log"));
    await appendFile(path.join(dir, "segments", segment!), Buffer.from([0x20, 0, 0, 0, 1, 2, 3, 4, 0x7b]));
    const reopened = await Spool.open(dir);
    const recovered = reopened.recoveredEntries();
    expect(recovered).toHaveLength(3);
    expect(chatOf(await reopened.read(recovered[2]!))).toBe("line 2");
    await reopened.close();
  });

  test("dead letters are written with the reason and counted; finished segments are removed", async () => {
    const spool = await Spool.open(dir, { segmentBytes: 1 });
    const a = await spool.store(post("1", "a"));
    const firstSegment = (await readdir(path.join(dir, "segments"))).filter((n) => n.endsWith(".log"));
    const b = await spool.store(post("1", "b"));
    const parsed = parseRescuePost(await spool.read(a));
    await spool.deadLetter(a, { reason: "refused: 400", status: 400, post: parsed });
    expect(spool.deadLetterCount()).toBe(1);
    const [deadFile] = await readdir(path.join(dir, "dead"));
    const dead = JSON.parse(await readFile(path.join(dir, "dead", deadFile!), "utf8")) as { deadLetter: { reason: string; status: number }; post: { fields: { ChatLog: string } } };
    expect(dead.deadLetter).toMatchObject({ reason: "refused: 400", status: 400 });
    expect(dead.post.fields.ChatLog).toBe("a");
    expect(await readdir(path.join(dir, "segments"))).not.toContain(firstSegment[0]);
    await spool.complete(b);
    await spool.close();
    const reopened = await Spool.open(dir);
    expect(reopened.recoveredEntries()).toEqual([]);
    expect(reopened.deadLetterCount()).toBe(1);
    expect((await readdir(path.join(dir, "segments"))).filter((n) => n.endsWith(".log"))).toEqual([]);
    await reopened.close();
  });

  test("the body is stored byte for byte as received, with its content type", async () => {
    const spool = await Spool.open(dir);
    const body = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("<session><sessionid>7</sessionid></session>", "utf16le")]);
    const entry = await spool.store({ sessionId: "7", contentType: "text/xml; charset=utf-16", body });
    await spool.close();
    const reopened = await Spool.open(dir);
    const [recovered] = reopened.recoveredEntries();
    const stored = await reopened.read(recovered!);
    expect(stored).toMatchObject({ seq: entry.seq, sessionId: "7", contentType: "text/xml; charset=utf-16" });
    expect(stored.body.equals(body)).toBe(true);
    await reopened.close();
  });

  test("a post completed twice does not take another undelivered post of its segment with it", async () => {
    const spool = await Spool.open(dir, { segmentBytes: 1 });
    const [a, b] = await Promise.all([spool.store(post("1", "a")), spool.store(post("1", "b"))]);
    await spool.store(post("1", "c")); // the first segment is now sealed
    await spool.complete(a);
    await spool.complete(a);
    await spool.close();
    const reopened = await Spool.open(dir);
    expect(reopened.recoveredEntries().map((e) => e.seq)).toContain(b.seq);
    await reopened.close();
  });

  test("records of a version 1 spool (JSON with the parsed post) are still read", async () => {
    const spool = await Spool.open(dir);
    await spool.close();
    const payload = Buffer.from(JSON.stringify({ version: 1, seq: 42, receivedAt: "2024-01-01T00:00:00.000Z", post: { sessionId: "9", event: "end", format: "xml", fields: { SessionID: "9", ChatLog: "old & kept", ClosingTime: "2024-01-01 10:00" }, digest: "x" } }));
    const header = Buffer.alloc(8);
    header.writeUInt32LE(payload.length, 0);
    header.writeUInt32LE(crc32(payload), 4);
    await writeFile(path.join(dir, "segments", "00000000000000042.log"), Buffer.concat([header, payload]));
    const reopened = await Spool.open(dir);
    const [entry] = reopened.recoveredEntries();
    expect(entry).toEqual({ seq: 42, sessionId: "9" });
    const parsed = parseRescuePost(await reopened.read(entry!));
    expect(parsed.fields).toMatchObject({ SessionID: "9", ChatLog: "old & kept" });
    expect(parsed.event).toBe("end");
    await reopened.close();
  });
});

describe("spool files removed while running", () => {
  test("a store into a removed SPOOL_DIR is not acknowledged; once the directory is back, the undelivered records are written again and a restart finds every acknowledged one", async () => {
    const root = path.join(dir, "spool");
    const spool = await Spool.open(root, { repairIntervalMs: 20 });
    const before = await spool.store(post("1", "acknowledged before the removal"));
    await rm(root, { recursive: true, force: true });

    await expect(spool.store(post("1", "while removed"))).rejects.toMatchObject({ name: "SpoolUnavailable" });
    // Still deliverable while running: read through the removed segment's open file.
    expect(chatOf(await spool.read(before))).toBe("acknowledged before the removal");

    await mkdir(root);
    // Repaired without waiting for the next post: the tree is back, the record written again.
    await waitUntil(async () => (await readdir(path.join(root, "segments")).catch(() => [])).some((n) => n.endsWith(".log")));
    await waitUntil(() => !spool.hasUnrescuedRecords());
    const after = await spool.store(post("1", "after the return"));
    await spool.close();

    const reopened = await Spool.open(root);
    const recovered = reopened.recoveredEntries();
    expect(recovered.map((e) => e.seq)).toEqual([before.seq, after.seq]);
    expect(chatOf(await reopened.read(recovered[0]!))).toBe("acknowledged before the removal");
    expect(chatOf(await reopened.read(recovered[1]!))).toBe("after the return");
    await reopened.close();
  });

  test("a removed segment file (SPOOL_DIR itself still there) is replaced before the next store is acknowledged", async () => {
    const spool = await Spool.open(dir);
    const first = await spool.store(post("2", "one"));
    const [segment] = (await readdir(path.join(dir, "segments"))).filter((n) => n.endsWith(".log"));
    await rm(path.join(dir, "segments", segment!));
    const second = await spool.store(post("2", "two"));
    await spool.close();
    const reopened = await Spool.open(dir);
    const recovered = reopened.recoveredEntries();
    expect(recovered.map((e) => e.seq)).toEqual([first.seq, second.seq]);
    expect(chatOf(await reopened.read(recovered[0]!))).toBe("one");
    await reopened.close();
  });

  test("a record whose sealed segment was removed cannot be read: SpoolRecordUnreadable, and a dead letter records it", async () => {
    const spool = await Spool.open(dir, { segmentBytes: 1 });
    const lost = await spool.store(post("3", "lost"));
    await spool.store(post("3", "next")); // seals the first segment (its file is closed)
    const [segment] = (await readdir(path.join(dir, "segments"))).filter((n) => n.endsWith(".log")).sort();
    await rm(path.join(dir, "segments", segment!));
    await expect(spool.read(lost)).rejects.toMatchObject({ name: "SpoolRecordUnreadable" });
    await spool.deadLetter(lost, { reason: "unreadable spool record" });
    const [deadFile] = await readdir(path.join(dir, "dead"));
    expect(JSON.parse(await readFile(path.join(dir, "dead", deadFile!), "utf8"))).toMatchObject({ seq: lost.seq, sessionId: "3", unreadable: true, deadLetter: { reason: "unreadable spool record" } });
    await spool.close();
  });
});

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

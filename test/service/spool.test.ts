import fsPromises, { appendFile, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { parseRescuePost, type RescuePost } from "../../src/service/post-parser";
import { Spool } from "../../src/service/spool";
import { makeTempDir, removeDir } from "./support/harness";

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await removeDir(dir);
});

const post = (sessionId: string, chat: string): RescuePost =>
  parseRescuePost({ body: Buffer.from(`SessionID=${sessionId}&ChatLog=${encodeURIComponent(chat)}`), contentType: "application/x-www-form-urlencoded", event: undefined });

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
    expect((await reopened.read(recovered[0]!)).post.fields.ChatLog).toBe("chat 1");
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
    expect((await reopened.read(recovered[2]!)).post.fields.ChatLog).toBe("line 2");
    await reopened.close();
  });

  test("dead letters are written with the reason and counted; finished segments are removed", async () => {
    const spool = await Spool.open(dir, { segmentBytes: 1 });
    const a = await spool.store(post("1", "a"));
    const b = await spool.store(post("1", "b"));
    expect(a.segment).not.toBe(b.segment);
    await spool.deadLetter(a, "refused: 400", 400);
    expect(spool.deadLetterCount()).toBe(1);
    const [deadFile] = await readdir(path.join(dir, "dead"));
    const dead = JSON.parse(await readFile(path.join(dir, "dead", deadFile!), "utf8")) as { deadLetter: { reason: string; status: number }; post: RescuePost };
    expect(dead.deadLetter).toMatchObject({ reason: "refused: 400", status: 400 });
    expect(dead.post.fields.ChatLog).toBe("a");
    expect(await readdir(path.join(dir, "segments"))).not.toContain(`${a.segment}.log`);
    await spool.complete(b);
    await spool.close();
    const reopened = await Spool.open(dir);
    expect(reopened.recoveredEntries()).toEqual([]);
    expect(reopened.deadLetterCount()).toBe(1);
    expect((await readdir(path.join(dir, "segments"))).filter((n) => n.endsWith(".log"))).toEqual([]);
    await reopened.close();
  });
});

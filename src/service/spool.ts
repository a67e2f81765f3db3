/**
 * The durable spool: every accepted post is a file on disk before Rescue gets its 2xx.
 *
 * Layout under the spool directory:
 *   tmp/       files being written (removed at start: they were never acknowledged)
 *   incoming/  accepted posts awaiting delivery, `<seq>_<sessionId>.json`, seq = arrival order
 *   dead/      posts Dataverse refused for good, the same record plus the reason
 *   applied/   per-session ledgers of applied post digests (see applied-ledger.ts)
 *
 * `store` writes the record to tmp/, fsyncs it, renames it into incoming/ and fsyncs
 * incoming/ — only then does it resolve. Directory fsyncs are group-committed: a rename that
 * finished before a directory fsync started is covered by it, so concurrent posts share one.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { RescuePost } from "./post-parser";

export interface SpoolRecord {
  readonly version: 1;
  readonly seq: number;
  readonly receivedAt: string;
  readonly post: RescuePost;
}

export interface DeadLetterRecord extends SpoolRecord {
  readonly deadLetter: { readonly at: string; readonly reason: string; readonly status?: number };
}

/** A post in incoming/, in arrival order by `seq`. */
export interface SpoolEntry {
  readonly fileName: string;
  readonly seq: number;
  readonly sessionId: string;
}

const FILE_NAME = /^(\d{17})_([A-Za-z0-9_-]{1,20})\.json$/;

export function parseSpoolFileName(fileName: string): SpoolEntry | null {
  const match = FILE_NAME.exec(fileName);
  if (!match) return null;
  return { fileName, seq: Number(match[1]), sessionId: match[2] ?? "" };
}

/** Serialises fsyncs of one directory and lets concurrent callers share one (group commit). */
class DirectorySync {
  private inFlight: Promise<void> | null = null;
  private queued: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } | null = null;

  constructor(private readonly handle: fs.FileHandle) {}

  sync(): Promise<void> {
    if (this.inFlight === null) return this.start();
    if (this.queued === null) {
      let settle!: { resolve: () => void; reject: (e: unknown) => void };
      const promise = new Promise<void>((resolve, reject) => {
        settle = { resolve, reject };
      });
      this.queued = { promise, ...settle };
    }
    return this.queued.promise;
  }

  private start(): Promise<void> {
    const run = this.handle.sync().finally(() => {
      this.inFlight = null;
      const next = this.queued;
      if (next !== null) {
        this.queued = null;
        this.start().then(next.resolve).catch(next.reject);
      }
    });
    this.inFlight = run;
    return run;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

export class Spool {
  readonly incomingDir: string;
  readonly deadDir: string;
  readonly tmpDir: string;
  readonly appliedDir: string;
  private nextSeq: number;
  private deadCount: number;

  private constructor(
    readonly rootDir: string,
    private readonly incomingSync: DirectorySync,
    private readonly deadSync: DirectorySync,
    nextSeq: number,
    deadCount: number,
  ) {
    this.incomingDir = path.join(rootDir, "incoming");
    this.deadDir = path.join(rootDir, "dead");
    this.tmpDir = path.join(rootDir, "tmp");
    this.appliedDir = path.join(rootDir, "applied");
    this.nextSeq = nextSeq;
    this.deadCount = deadCount;
  }

  /** Creates the directories if needed, clears tmp/ and finds where numbering resumes. */
  static async open(rootDir: string): Promise<Spool> {
    const dirs = ["incoming", "dead", "tmp", "applied"].map((d) => path.join(rootDir, d));
    for (const dir of dirs) await fs.mkdir(dir, { recursive: true });
    const [incomingDir, deadDir, tmpDir] = dirs as [string, string, string, string];
    for (const name of await fs.readdir(tmpDir)) await fs.rm(path.join(tmpDir, name), { force: true, recursive: true });

    let maxSeq = 0;
    let deadCount = 0;
    for (const name of await fs.readdir(incomingDir)) maxSeq = Math.max(maxSeq, parseSpoolFileName(name)?.seq ?? 0);
    for (const name of await fs.readdir(deadDir)) {
      const entry = parseSpoolFileName(name);
      if (entry === null) continue;
      deadCount += 1;
      maxSeq = Math.max(maxSeq, entry.seq);
    }
    // Microseconds since the epoch keep numbers rising across restarts even if the spool is emptied.
    const nextSeq = Math.max(maxSeq + 1, Date.now() * 1000);
    const incomingHandle = await fs.open(incomingDir, "r");
    const deadHandle = await fs.open(deadDir, "r");
    return new Spool(rootDir, new DirectorySync(incomingHandle), new DirectorySync(deadHandle), nextSeq, deadCount);
  }

  /** Durably stores a post; resolves only once a crash can no longer lose it. */
  async store(post: RescuePost, receivedAt: Date = new Date()): Promise<SpoolEntry> {
    const seq = this.nextSeq++;
    const fileName = `${String(seq).padStart(17, "0")}_${post.sessionId}.json`;
    const record: SpoolRecord = { version: 1, seq, receivedAt: receivedAt.toISOString(), post };
    await this.writeDurably(fileName, JSON.stringify(record), this.incomingDir);
    await this.incomingSync.sync();
    return { fileName, seq, sessionId: post.sessionId };
  }

  /** Posts awaiting delivery, oldest first. */
  async pending(): Promise<SpoolEntry[]> {
    const entries: SpoolEntry[] = [];
    for (const name of await fs.readdir(this.incomingDir)) {
      const entry = parseSpoolFileName(name);
      if (entry !== null) entries.push(entry);
    }
    return entries.sort((a, b) => a.seq - b.seq);
  }

  async read(entry: SpoolEntry): Promise<SpoolRecord> {
    const text = await fs.readFile(path.join(this.incomingDir, entry.fileName), "utf8");
    return JSON.parse(text) as SpoolRecord;
  }

  /** Removes a delivered post. Not fsynced: if the removal is lost the post is delivered again, which is idempotent. */
  async complete(entry: SpoolEntry): Promise<void> {
    await fs.rm(path.join(this.incomingDir, entry.fileName), { force: true });
  }

  /** Moves a post Dataverse refused for good to dead/, with the reason. */
  async deadLetter(entry: SpoolEntry, reason: string, status?: number): Promise<void> {
    let record: SpoolRecord;
    try {
      record = await this.read(entry);
    } catch {
      // Unreadable record: move the file as it is.
      await fs.rename(path.join(this.incomingDir, entry.fileName), path.join(this.deadDir, entry.fileName));
      await this.deadSync.sync();
      this.deadCount += 1;
      return;
    }
    const dead: DeadLetterRecord = { ...record, deadLetter: { at: new Date().toISOString(), reason, ...(status === undefined ? {} : { status }) } };
    await this.writeDurably(entry.fileName, JSON.stringify(dead, null, 2), this.deadDir);
    await this.deadSync.sync();
    this.deadCount += 1;
    await fs.rm(path.join(this.incomingDir, entry.fileName), { force: true });
  }

  deadLetterCount(): number {
    return this.deadCount;
  }

  /** Throws if a file cannot be written and synced in the spool. */
  async checkWritable(): Promise<void> {
    const probe = path.join(this.tmpDir, `probe-${randomBytes(6).toString("hex")}`);
    const handle = await fs.open(probe, "wx");
    try {
      await handle.writeFile("ok");
      await handle.datasync();
    } finally {
      await handle.close();
      await fs.rm(probe, { force: true });
    }
  }

  async close(): Promise<void> {
    await this.incomingSync.close();
    await this.deadSync.close();
  }

  private async writeDurably(fileName: string, content: string, targetDir: string): Promise<void> {
    const tmpPath = path.join(this.tmpDir, `${fileName}.${randomBytes(4).toString("hex")}.tmp`);
    const handle = await fs.open(tmpPath, "wx");
    try {
      await handle.writeFile(content, "utf8");
      await handle.datasync();
    } catch (error) {
      await handle.close();
      await fs.rm(tmpPath, { force: true });
      throw error;
    }
    await handle.close();
    await fs.rename(tmpPath, path.join(targetDir, fileName));
  }
}

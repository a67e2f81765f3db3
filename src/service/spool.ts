/**
 * The durable spool: every accepted post is on disk, fsynced, before Rescue gets its 2xx.
 *
 * An embedded append-only log with group commit (the strength of write + fsync + rename, at a
 * fraction of the cost):
 *
 *   segments/<first seq>.log   records: u32 length, u32 CRC-32, JSON (UTF-8), appended in arrival order
 *   segments/<first seq>.done  seqs of records delivered or dead-lettered, one per line
 *   dead/<seq>_<session>.json  posts Dataverse refused for good, with the reason (one file each)
 *   tmp/                       files being written (cleared at start), readiness probes
 *   applied/                   per-session ledgers of applied post digests (applied-ledger.ts)
 *
 * `store` queues the record; one writer appends everything queued in a single write and one
 * `fdatasync`, then resolves all of those stores — so concurrent posts share an fsync and none
 * is acknowledged before its bytes are durable. A new segment file is made durable with an
 * fsync of its directory before records go into it, and the spool's directories, when `open`
 * creates them, with an fsync of their parents. After a restart the service appends to a
 * fresh segment; reading an old one stops at the first torn or corrupt record (never
 * acknowledged, since acknowledgements follow the fsync in order). `.done` files are not
 * fsynced: a lost mark only means a post is delivered again, which delivery makes idempotent.
 * A segment that is full and entirely done is deleted.
 */
import { randomBytes } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { crc32 } from "node:zlib";
import type { RescuePost } from "./post-parser";

export interface SpoolRecord {
  readonly version: 1;
  readonly seq: number;
  readonly receivedAt: string;
  readonly post: RescuePost;
}

/** A spooled post awaiting delivery; `seq` is the arrival order. */
export interface SpoolEntry {
  readonly seq: number;
  readonly sessionId: string;
  readonly segment: string;
  readonly offset: number;
  readonly length: number;
}

export interface SpoolOptions {
  /** Start a new segment once the active one reaches this size. */
  segmentBytes?: number;
}

const HEADER_BYTES = 8;
const MAX_RECORD_BYTES = 64 * 1024 * 1024;
const SEGMENT_NAME = /^(\d{17})\.log$/;

interface SegmentState {
  readonly name: string;
  records: number;
  done: number;
  sealed: boolean;
  doneStream: WriteStream | null;
}

interface PendingWrite {
  /** Length and CRC-32 of the payload. */
  readonly header: Buffer;
  readonly payload: Buffer;
  readonly entry: SpoolEntry;
  resolve(entry: SpoolEntry): void;
  reject(error: unknown): void;
}

export class Spool {
  readonly segmentsDir: string;
  readonly deadDir: string;
  readonly tmpDir: string;
  readonly appliedDir: string;
  private readonly segmentBytes: number;
  private readonly segments = new Map<string, SegmentState>();
  private active: { state: SegmentState; handle: fs.FileHandle; size: number } | null = null;
  private queue: PendingWrite[] = [];
  private flushing: Promise<void> | null = null;
  private nextSeq: number;
  private deadCount: number;
  private recovered: SpoolEntry[];
  private closed = false;

  private constructor(readonly rootDir: string, nextSeq: number, deadCount: number, recovered: SpoolEntry[], options: SpoolOptions) {
    this.segmentsDir = path.join(rootDir, "segments");
    this.deadDir = path.join(rootDir, "dead");
    this.tmpDir = path.join(rootDir, "tmp");
    this.appliedDir = path.join(rootDir, "applied");
    this.nextSeq = nextSeq;
    this.deadCount = deadCount;
    this.recovered = recovered;
    this.segmentBytes = options.segmentBytes ?? 8 * 1024 * 1024;
  }

  /** Creates the directories if needed and recovers what earlier runs left undelivered. */
  static async open(rootDir: string, options: SpoolOptions = {}): Promise<Spool> {
    for (const dir of ["segments", "dead", "tmp", "applied"]) await makeDurableDirectory(path.join(rootDir, dir));
    const tmpDir = path.join(rootDir, "tmp");
    for (const name of await fs.readdir(tmpDir)) await fs.rm(path.join(tmpDir, name), { force: true, recursive: true });

    const deadCount = (await fs.readdir(path.join(rootDir, "dead"))).filter((n) => n.endsWith(".json")).length;
    const segmentsDir = path.join(rootDir, "segments");
    const names = (await fs.readdir(segmentsDir)).filter((n) => SEGMENT_NAME.test(n)).sort();
    const recovered: SpoolEntry[] = [];
    const states: SegmentState[] = [];
    let maxSeq = 0;
    for (const name of names) {
      const segment = name.slice(0, -".log".length);
      const records = await readSegment(path.join(segmentsDir, name), segment);
      const done = await readDoneMarks(path.join(segmentsDir, `${segment}.done`));
      const state: SegmentState = { name: segment, records: records.length, done: 0, sealed: true, doneStream: null };
      for (const entry of records) {
        maxSeq = Math.max(maxSeq, entry.seq);
        if (done.has(entry.seq)) state.done += 1;
        else recovered.push(entry);
      }
      states.push(state);
    }
    const spool = new Spool(rootDir, Math.max(maxSeq + 1, Date.now() * 1000), deadCount, recovered, options);
    for (const state of states) {
      spool.segments.set(state.name, state);
      await spool.removeIfFinished(state);
    }
    return spool;
  }

  /** Durably stores a post; resolves only once a crash can no longer lose it. */
  store(post: RescuePost, receivedAt: Date = new Date()): Promise<SpoolEntry> {
    if (this.closed) return Promise.reject(new Error("spool is closed"));
    const seq = this.nextSeq++;
    const record: SpoolRecord = { version: 1, seq, receivedAt: receivedAt.toISOString(), post };
    const payload = Buffer.from(JSON.stringify(record), "utf8");
    const header = Buffer.allocUnsafe(HEADER_BYTES);
    header.writeUInt32LE(payload.length, 0);
    header.writeUInt32LE(crc32(payload), 4);
    return new Promise<SpoolEntry>((resolve, reject) => {
      // Segment and offset are filled in when the batch is written.
      this.queue.push({ header, payload, entry: { seq, sessionId: post.sessionId, segment: "", offset: 0, length: payload.length }, resolve, reject });
      this.flushing ??= this.flushLoop();
    });
  }

  /** Posts left undelivered by earlier runs, oldest first (returned once). */
  recoveredEntries(): SpoolEntry[] {
    const entries = this.recovered.sort((a, b) => a.seq - b.seq);
    this.recovered = [];
    return entries;
  }

  async read(entry: SpoolEntry): Promise<SpoolRecord> {
    const handle = await fs.open(path.join(this.segmentsDir, `${entry.segment}.log`), "r");
    try {
      const buffer = Buffer.allocUnsafe(entry.length);
      const { bytesRead } = await handle.read(buffer, 0, entry.length, entry.offset + HEADER_BYTES);
      if (bytesRead !== entry.length) throw new SyntaxError("spool record is truncated");
      return JSON.parse(buffer.toString("utf8")) as SpoolRecord;
    } finally {
      await handle.close();
    }
  }

  /** Marks a post delivered. */
  async complete(entry: SpoolEntry): Promise<void> {
    await this.markDone(entry);
  }

  /** Writes the post to dead/ with the reason (durably), then marks it done. */
  async deadLetter(entry: SpoolEntry, reason: string, status?: number): Promise<void> {
    let record: SpoolRecord | { seq: number; unreadable: true };
    try {
      record = await this.read(entry);
    } catch {
      record = { seq: entry.seq, unreadable: true };
    }
    const dead = { ...record, deadLetter: { at: new Date().toISOString(), reason, ...(status === undefined ? {} : { status }) } };
    const fileName = `${String(entry.seq).padStart(17, "0")}_${entry.sessionId}.json`;
    const tmpPath = path.join(this.tmpDir, `${fileName}.${randomBytes(4).toString("hex")}.tmp`);
    const handle = await fs.open(tmpPath, "wx");
    try {
      await handle.writeFile(JSON.stringify(dead, null, 2), "utf8");
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmpPath, path.join(this.deadDir, fileName));
    await syncDirectory(this.deadDir);
    this.deadCount += 1;
    await this.markDone(entry);
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

  /** Finishes the writes in hand and closes the files. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.flushing !== null) await this.flushing;
    if (this.active !== null) {
      await this.active.handle.close();
      this.active.state.sealed = true;
      this.active = null;
    }
    for (const state of this.segments.values()) await closeStream(state);
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          const entries = await this.writeBatch(batch);
          batch.forEach((write, i) => write.resolve(entries[i] ?? write.entry));
        } catch (error) {
          for (const write of batch) write.reject(error);
          // The active segment may now end in a partial record: never append after it.
          await this.sealActive().catch(() => undefined);
        }
      }
    } finally {
      this.flushing = null;
    }
  }

  /** Appends a batch with one write and one fdatasync; returns the entries with their place. */
  private async writeBatch(batch: PendingWrite[]): Promise<SpoolEntry[]> {
    if (this.active === null || this.active.size >= this.segmentBytes) await this.rotate(batch[0]?.entry.seq ?? this.nextSeq);
    const active = this.active;
    if (active === null) throw new Error("no active spool segment");
    const frames: Buffer[] = [];
    const placed: SpoolEntry[] = [];
    let offset = active.size;
    for (const write of batch) {
      placed.push({ ...write.entry, segment: active.state.name, offset });
      frames.push(write.header, write.payload);
      offset += HEADER_BYTES + write.payload.length;
    }
    const data = Buffer.concat(frames);
    let written = 0;
    while (written < data.length) {
      const { bytesWritten } = await active.handle.write(data, written, data.length - written, active.size + written);
      written += bytesWritten;
    }
    await active.handle.datasync();
    active.size += data.length;
    active.state.records += batch.length;
    return placed;
  }

  private async rotate(firstSeq: number): Promise<void> {
    await this.sealActive();
    const name = String(firstSeq).padStart(17, "0");
    const handle = await fs.open(path.join(this.segmentsDir, `${name}.log`), "wx");
    await syncDirectory(this.segmentsDir);
    const state: SegmentState = { name, records: 0, done: 0, sealed: false, doneStream: null };
    this.segments.set(name, state);
    this.active = { state, handle, size: 0 };
  }

  private async sealActive(): Promise<void> {
    const active = this.active;
    if (active === null) return;
    this.active = null;
    active.state.sealed = true;
    await active.handle.close();
    await this.removeIfFinished(active.state);
  }

  private async markDone(entry: SpoolEntry): Promise<void> {
    const state = this.segments.get(entry.segment);
    if (state === undefined) return;
    state.doneStream ??= createWriteStream(path.join(this.segmentsDir, `${state.name}.done`), { flags: "a" });
    const stream = state.doneStream;
    await new Promise<void>((resolve, reject) => stream.write(`${entry.seq}\n`, (error) => (error ? reject(error) : resolve())));
    state.done += 1;
    await this.removeIfFinished(state);
  }

  private async removeIfFinished(state: SegmentState): Promise<void> {
    if (!state.sealed || state.done < state.records) return;
    this.segments.delete(state.name);
    await closeStream(state);
    await fs.rm(path.join(this.segmentsDir, `${state.name}.log`), { force: true });
    await fs.rm(path.join(this.segmentsDir, `${state.name}.done`), { force: true });
  }
}

async function closeStream(state: SegmentState): Promise<void> {
  const stream = state.doneStream;
  state.doneStream = null;
  if (stream === null) return;
  await new Promise<void>((resolve) => stream.end(() => resolve()));
}

/**
 * Creates `dir` and any missing parents, then syncs the parent of every directory it created:
 * a new directory entry survives a crash only once its parent is synced, and the records and
 * dead letters fsynced into it are only as durable as the path that leads to them.
 */
async function makeDurableDirectory(dir: string): Promise<void> {
  const target = path.resolve(dir);
  const first = await fs.mkdir(target, { recursive: true });
  if (first === undefined) return;
  const created: string[] = [];
  for (let current = target; ; current = path.dirname(current)) {
    created.unshift(current);
    if (current === path.resolve(first) || current === path.dirname(current)) break;
  }
  for (const directory of created) await syncDirectory(path.dirname(directory));
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The intact records of a segment, stopping at the first torn or corrupt one. */
async function readSegment(file: string, segment: string): Promise<SpoolEntry[]> {
  const data = await fs.readFile(file);
  const entries: SpoolEntry[] = [];
  let offset = 0;
  while (offset + HEADER_BYTES <= data.length) {
    const length = data.readUInt32LE(offset);
    const checksum = data.readUInt32LE(offset + 4);
    if (length === 0 || length > MAX_RECORD_BYTES || offset + HEADER_BYTES + length > data.length) break;
    const payload = data.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length);
    if (crc32(payload) !== checksum) break;
    let record: SpoolRecord;
    try {
      record = JSON.parse(payload.toString("utf8")) as SpoolRecord;
    } catch {
      break;
    }
    entries.push({ seq: record.seq, sessionId: record.post.sessionId, segment, offset, length });
    offset += HEADER_BYTES + length;
  }
  return entries;
}

async function readDoneMarks(file: string): Promise<Set<number>> {
  try {
    const text = await fs.readFile(file, "utf8");
    return new Set(text.split("\n").filter((line) => /^\d+$/.test(line)).map(Number));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Set();
    throw error;
  }
}

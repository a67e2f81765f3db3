/**
 * The durable spool: every accepted post is on disk, fsynced, where a restart looks for it,
 * before Rescue gets its 2xx.
 *
 * An embedded append-only log with group commit (the strength of write + fsync + rename, at a
 * fraction of the cost):
 *
 *   segments/<first seq>.log   records in arrival order: u32 length, u32 CRC-32, payload
 *   segments/<first seq>.done  seqs of records delivered or dead-lettered, one per line
 *   dead/<seq>_<session>.json  posts that could not be delivered, with the reason (one file each)
 *   tmp/                       files being written (cleared at start), readiness probes
 *   applied/                   per-session ledgers of applied post digests (applied-ledger.ts)
 *
 * A payload is the byte 2, a u32 length and that much JSON (seq, arrival time, session id,
 * content type), then the body exactly as Rescue sent it: what is kept is what was received,
 * and a 16 MiB post is written as it is, never re-encoded. (Version 1 payloads, JSON with the
 * parsed post, are still read.)
 *
 * `store` queues the record; one writer appends everything queued with one write and one
 * `fdatasync`, then checks that the segment file is still linked at its path (its inode is the
 * one the path names) and only then resolves all of those stores. So a post is acknowledged
 * only when a restart will find it: concurrent posts share an fsync, and a post written into a
 * file that was deleted meanwhile (SPOOL_DIR removed while running) is not acknowledged.
 *
 * When the check fails, the spool puts its tree back where it can: `SPOOL_DIR` itself must
 * still exist on the same file system (it is never recreated: a missing or remounted volume
 * must not be papered over with an empty directory), its subdirectories are recreated, and the
 * undelivered records of the deleted segment — still readable through its open file — are
 * written again into a new segment together with the waiting posts. Until that works, stores
 * fail with `SpoolUnavailable` (the receiver answers 503), and the repair is retried every
 * second and on every store.
 *
 * A new segment file is made durable with an fsync of its directory before records go into it,
 * and directories the spool creates with an fsync of their parents. After a restart the service
 * appends to a fresh segment; reading an old one stops at the first torn or corrupt record
 * (never acknowledged, since acknowledgements follow the fsync in order). `.done` files are not
 * fsynced: a lost mark only means a post is delivered again, which delivery makes idempotent.
 * A segment that is sealed and has nothing left to deliver is deleted.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { crc32 } from "node:zlib";
import type { RescuePost } from "./post-parser";

/** A post as received, to be stored. */
export interface IncomingPost {
  readonly sessionId: string;
  readonly contentType: string | undefined;
  readonly body: Buffer;
}

/** A post as stored. */
export interface StoredPost extends IncomingPost {
  readonly seq: number;
  readonly receivedAt: string;
}

/** A spooled post awaiting delivery; `seq` is the arrival order. */
export interface SpoolEntry {
  readonly seq: number;
  readonly sessionId: string;
}

export interface SpoolOptions {
  /** Start a new segment once the active one reaches this size. */
  segmentBytes?: number;
  /** How often a spool whose files were removed tries to put them back. */
  repairIntervalMs?: number;
}

/** What a dead letter says besides the stored post. */
export interface DeadLetterDetail {
  readonly reason: string;
  /** The HTTP status Dataverse answered, if the reason is Dataverse's refusal. */
  readonly status?: number;
  /** The post as parsed; without it the dead letter keeps the body as received (base64). */
  readonly post?: RescuePost;
}

/** The post could not be stored where a restart finds it: answer 503, do not acknowledge. */
export class SpoolUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SpoolUnavailable";
  }
}

/** A spooled record cannot be read back (its file is gone, or its bytes are damaged). */
export class SpoolRecordUnreadable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SpoolRecordUnreadable";
  }
}

const HEADER_BYTES = 8;
const PAYLOAD_VERSION = 2;
/** Version byte and u32 metadata length in front of the metadata. */
const META_PREFIX_BYTES = 5;
const MAX_RECORD_BYTES = 64 * 1024 * 1024;
const SEGMENT_NAME = /^(\d{17})\.log$/;
const SUBDIRECTORIES = ["segments", "dead", "tmp", "applied"] as const;

interface SegmentState {
  readonly name: string;
  /** Records in this segment not yet delivered or dead-lettered. */
  pending: number;
  sealed: boolean;
  /** Open while the segment is active, and while it is unlinked with records to rescue. */
  handle: fs.FileHandle | null;
  /** Reads in progress through `handle`. */
  readers: number;
  /** The file is no longer at its path: its records must be written again elsewhere. */
  unlinked: boolean;
  doneHandle: fs.FileHandle | null;
}

interface RecordPlace {
  readonly sessionId: string;
  segment: SegmentState;
  /** Offset of the record's header in the segment. */
  offset: number;
  /** Header and payload. */
  readonly length: number;
}

interface PendingWrite {
  readonly seq: number;
  readonly sessionId: string;
  /** Header, metadata and body, written one after the other. */
  readonly parts: Buffer[];
  readonly length: number;
  resolve(entry: SpoolEntry): void;
  reject(error: unknown): void;
}

export class Spool {
  readonly segmentsDir: string;
  readonly deadDir: string;
  readonly tmpDir: string;
  readonly appliedDir: string;
  private readonly segmentBytes: number;
  private readonly repairIntervalMs: number;
  private readonly segments = new Map<string, SegmentState>();
  private readonly places = new Map<number, RecordPlace>();
  private active: { state: SegmentState; handle: fs.FileHandle; size: number } | null = null;
  private queue: PendingWrite[] = [];
  private flushing: Promise<void> | null = null;
  private repairTimer: NodeJS.Timeout | null = null;
  private nextSeq: number;
  private deadCount: number;
  private recovered: SpoolEntry[];
  private closed = false;

  private constructor(
    readonly rootDir: string,
    private readonly rootDevice: number,
    nextSeq: number,
    deadCount: number,
    recovered: SpoolEntry[],
    options: SpoolOptions,
  ) {
    this.segmentsDir = path.join(rootDir, "segments");
    this.deadDir = path.join(rootDir, "dead");
    this.tmpDir = path.join(rootDir, "tmp");
    this.appliedDir = path.join(rootDir, "applied");
    this.nextSeq = nextSeq;
    this.deadCount = deadCount;
    this.recovered = recovered;
    this.segmentBytes = options.segmentBytes ?? 8 * 1024 * 1024;
    this.repairIntervalMs = options.repairIntervalMs ?? 1_000;
  }

  /** Creates the directories if needed and recovers what earlier runs left undelivered. */
  static async open(rootDir: string, options: SpoolOptions = {}): Promise<Spool> {
    for (const dir of SUBDIRECTORIES) await makeDurableDirectory(path.join(rootDir, dir));
    const rootDevice = (await fs.stat(rootDir)).dev;
    const tmpDir = path.join(rootDir, "tmp");
    for (const name of await fs.readdir(tmpDir)) await fs.rm(path.join(tmpDir, name), { force: true, recursive: true });

    const deadCount = (await fs.readdir(path.join(rootDir, "dead"))).filter((n) => n.endsWith(".json")).length;
    const segmentsDir = path.join(rootDir, "segments");
    const names = (await fs.readdir(segmentsDir)).filter((n) => SEGMENT_NAME.test(n)).sort();
    const recovered: SpoolEntry[] = [];
    const found: { state: SegmentState; records: ScannedRecord[] }[] = [];
    let maxSeq = 0;
    for (const name of names) {
      const segment = name.slice(0, -".log".length);
      const records = await scanSegment(path.join(segmentsDir, name));
      const done = await readDoneMarks(path.join(segmentsDir, `${segment}.done`));
      const state: SegmentState = { name: segment, pending: 0, sealed: true, handle: null, readers: 0, unlinked: false, doneHandle: null };
      const undelivered = records.filter((record) => !done.has(record.seq));
      for (const record of records) maxSeq = Math.max(maxSeq, record.seq);
      for (const record of undelivered) recovered.push({ seq: record.seq, sessionId: record.sessionId });
      found.push({ state, records: undelivered });
    }
    const spool = new Spool(rootDir, rootDevice, Math.max(maxSeq + 1, Date.now() * 1000), deadCount, recovered, options);
    for (const { state, records } of found) {
      spool.segments.set(state.name, state);
      for (const record of records) spool.places.set(record.seq, { sessionId: record.sessionId, segment: state, offset: record.offset, length: record.length });
      state.pending = records.length;
      await spool.removeIfFinished(state);
    }
    return spool;
  }

  /** Durably stores a post; resolves only once a crash can no longer lose it. */
  store(post: IncomingPost, receivedAt: Date = new Date()): Promise<SpoolEntry> {
    if (this.closed) return Promise.reject(new SpoolUnavailable("spool is closed"));
    const seq = this.nextSeq++;
    const meta = Buffer.from(JSON.stringify({ seq, receivedAt: receivedAt.toISOString(), sessionId: post.sessionId, contentType: post.contentType ?? null }), "utf8");
    const front = Buffer.allocUnsafe(HEADER_BYTES + META_PREFIX_BYTES);
    const payloadLength = META_PREFIX_BYTES + meta.length + post.body.length;
    front.writeUInt8(PAYLOAD_VERSION, HEADER_BYTES);
    front.writeUInt32LE(meta.length, HEADER_BYTES + 1);
    const checksum = crc32(post.body, crc32(meta, crc32(front.subarray(HEADER_BYTES))));
    front.writeUInt32LE(payloadLength, 0);
    front.writeUInt32LE(checksum, 4);
    return new Promise<SpoolEntry>((resolve, reject) => {
      this.queue.push({ seq, sessionId: post.sessionId, parts: [front, meta, post.body], length: HEADER_BYTES + payloadLength, resolve, reject });
      this.flushing ??= this.flushLoop();
    });
  }

  /** Posts left undelivered by earlier runs, oldest first (returned once). */
  recoveredEntries(): SpoolEntry[] {
    const entries = this.recovered.sort((a, b) => a.seq - b.seq);
    this.recovered = [];
    return entries;
  }

  /** Reads a spooled post back; throws `SpoolRecordUnreadable` when that is impossible. */
  async read(entry: SpoolEntry): Promise<StoredPost> {
    const place = this.places.get(entry.seq);
    if (place === undefined) throw new SpoolRecordUnreadable(`record ${entry.seq} is not in the spool`);
    const bytes = await this.readBytes(place);
    return decodeRecord(bytes);
  }

  /** Marks a post delivered. */
  async complete(entry: SpoolEntry): Promise<void> {
    await this.markDone(entry);
  }

  /** Writes the post to dead/ with the reason (durably), then marks it done. */
  async deadLetter(entry: SpoolEntry, detail: DeadLetterDetail): Promise<void> {
    let record: Record<string, unknown>;
    try {
      const stored = await this.read(entry);
      record =
        detail.post === undefined
          ? { seq: stored.seq, receivedAt: stored.receivedAt, sessionId: stored.sessionId, contentType: stored.contentType, bodyBase64: stored.body.toString("base64") }
          : { seq: stored.seq, receivedAt: stored.receivedAt, post: detail.post };
    } catch {
      record = { seq: entry.seq, sessionId: entry.sessionId, unreadable: true };
    }
    const dead = { ...record, deadLetter: { at: new Date().toISOString(), reason: detail.reason, ...(detail.status === undefined ? {} : { status: detail.status }) } };
    await this.ensureTree();
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
    this.stopRepairTimer();
    if (this.flushing !== null) await this.flushing;
    const active = this.active;
    this.active = null;
    if (active !== null) active.state.sealed = true;
    for (const state of this.segments.values()) {
      await closeQuietly(state.handle);
      state.handle = null;
      await closeQuietly(state.doneHandle);
      state.doneHandle = null;
    }
  }

  private async flushLoop(): Promise<void> {
    try {
      for (;;) {
        let repairError: unknown = null;
        if (this.needsRepair()) repairError = await this.repair().then(() => null, (error: unknown) => error);
        if (this.queue.length === 0) break;
        const batch = this.queue;
        this.queue = [];
        if (repairError !== null) {
          this.rejectAll(batch, repairError);
          continue;
        }
        try {
          await this.writeBatch(batch);
        } catch {
          // Perhaps the files were removed, or the disk refused this segment: once more, on
          // a new segment (after putting the tree back if needed).
          try {
            await this.retireActive();
            await this.repair();
            await this.writeBatch(batch);
          } catch (error) {
            await this.retireActive().catch(() => undefined);
            this.rejectAll(batch, error);
          }
        }
      }
    } finally {
      this.flushing = null;
      if (this.needsRepair() && !this.closed) this.startRepairTimer();
      else this.stopRepairTimer();
    }
  }

  private rejectAll(batch: PendingWrite[], error: unknown): void {
    const failure = error instanceof SpoolUnavailable ? error : new SpoolUnavailable(`post not stored: ${describe(error)}`, { cause: error });
    for (const write of batch) write.reject(failure);
  }

  /**
   * Appends a batch with one write and one fdatasync, checks that the segment is still where
   * recovery looks, and only then resolves the stores.
   */
  private async writeBatch(batch: PendingWrite[]): Promise<void> {
    if (this.active === null || this.active.size >= this.segmentBytes) await this.rotate(batch[0]?.seq ?? this.nextSeq);
    const active = this.activeSegment();
    const buffers: Buffer[] = [];
    let end = active.size;
    const placed: { write: PendingWrite; offset: number }[] = [];
    for (const write of batch) {
      placed.push({ write, offset: end });
      buffers.push(...write.parts);
      end += write.length;
    }
    await writeAll(active.handle, buffers, active.size);
    await active.handle.datasync();
    if (!(await this.isLinked(active.state))) throw new SpoolUnavailable("the spool segment was removed while it was written");
    active.size = end;
    for (const { write, offset } of placed) {
      this.places.set(write.seq, { sessionId: write.sessionId, segment: active.state, offset, length: write.length });
      active.state.pending += 1;
    }
    for (const { write } of placed) write.resolve({ seq: write.seq, sessionId: write.sessionId });
  }

  private activeSegment(): { state: SegmentState; handle: fs.FileHandle; size: number } {
    if (this.active === null) throw new SpoolUnavailable("no active spool segment");
    return this.active;
  }

  private async rotate(firstSeq: number): Promise<void> {
    await this.retireActive();
    const name = String(firstSeq).padStart(17, "0");
    const handle = await fs.open(path.join(this.segmentsDir, `${name}.log`), "wx+");
    try {
      await syncDirectory(this.segmentsDir);
    } catch (error) {
      await handle.close();
      throw error;
    }
    const state: SegmentState = { name, pending: 0, sealed: false, handle, readers: 0, unlinked: false, doneHandle: null };
    this.segments.set(name, state);
    this.active = { state, handle, size: 0 };
    for (const other of [...this.segments.values()]) if (other !== state) await this.removeIfFinished(other);
  }

  /** Seals the active segment; one that was removed keeps its file open until its records are rescued. */
  private async retireActive(): Promise<void> {
    const active = this.active;
    if (active === null) return;
    this.active = null;
    const state = active.state;
    state.sealed = true;
    state.unlinked = !(await this.isLinked(state).catch(() => false));
    if (!state.unlinked || state.pending === 0) await this.releaseHandle(state);
    await this.removeIfFinished(state);
  }

  private needsRepair(): boolean {
    for (const state of this.segments.values()) if (state.unlinked && state.pending > 0) return true;
    return false;
  }

  /**
   * Puts the spool's tree back (SPOOL_DIR must exist, on the file system it was opened on),
   * starts a new segment if there is none, and writes the undelivered records of removed
   * segments into it.
   */
  private async repair(): Promise<void> {
    await this.ensureTree();
    if (this.active === null) await this.rotate(this.nextSeq);
    const active = this.activeSegment();
    const moved: { seq: number; place: RecordPlace; offset: number }[] = [];
    let end = active.size;
    for (const [seq, place] of [...this.places]) {
      if (!place.segment.unlinked) continue;
      const bytes = await this.readBytes(place);
      await writeAll(active.handle, [bytes], end);
      moved.push({ seq, place, offset: end });
      end += bytes.length;
    }
    if (moved.length === 0) return;
    await active.handle.datasync();
    if (!(await this.isLinked(active.state))) throw new SpoolUnavailable("the spool segment was removed while it was written");
    active.size = end;
    const deliveredMeanwhile: number[] = [];
    for (const { seq, place, offset } of moved) {
      if (this.places.get(seq) !== place) {
        deliveredMeanwhile.push(seq);
        continue;
      }
      place.segment.pending -= 1;
      place.segment = active.state;
      place.offset = offset;
      active.state.pending += 1;
    }
    // Delivered while being copied: marked done in the new segment too, so a restart skips them.
    if (deliveredMeanwhile.length > 0) {
      active.state.doneHandle ??= await fs.open(path.join(this.segmentsDir, `${active.state.name}.done`), "a");
      await active.state.doneHandle.write(deliveredMeanwhile.map((seq) => `${seq}\n`).join(""));
    }
    for (const state of [...this.segments.values()]) {
      if (state.unlinked && state.pending === 0) {
        await this.releaseHandle(state);
        await this.removeIfFinished(state);
      }
    }
  }

  /** SPOOL_DIR exists on its original file system, and its subdirectories are there. */
  private async ensureTree(): Promise<void> {
    let root;
    try {
      root = await fs.stat(this.rootDir);
    } catch (error) {
      throw new SpoolUnavailable(`SPOOL_DIR is missing (${describe(error)}): create it again, or mount its volume`, { cause: error });
    }
    if (root.dev !== this.rootDevice) throw new SpoolUnavailable("SPOOL_DIR is now on another file system than at start (was its volume unmounted?)");
    let created = false;
    for (const dir of SUBDIRECTORIES) {
      try {
        await fs.mkdir(path.join(this.rootDir, dir));
        created = true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
    }
    if (created) await syncDirectory(this.rootDir);
  }

  private startRepairTimer(): void {
    if (this.repairTimer !== null) return;
    this.repairTimer = setInterval(() => {
      if (this.closed) return;
      this.flushing ??= this.flushLoop();
    }, this.repairIntervalMs);
    this.repairTimer.unref();
  }

  private stopRepairTimer(): void {
    if (this.repairTimer === null) return;
    clearInterval(this.repairTimer);
    this.repairTimer = null;
  }

  /** Whether the spool has records it could not yet put back after its files were removed. */
  hasUnrescuedRecords(): boolean {
    return this.needsRepair();
  }

  private async isLinked(state: SegmentState): Promise<boolean> {
    if (state.handle === null) return false;
    const [opened, named] = await Promise.all([
      state.handle.stat(),
      fs.stat(path.join(this.segmentsDir, `${state.name}.log`)).catch(() => null),
    ]);
    return named !== null && opened.nlink > 0 && named.ino === opened.ino && named.dev === opened.dev;
  }

  private async readBytes(place: RecordPlace): Promise<Buffer> {
    const state = place.segment;
    const buffer = Buffer.allocUnsafe(place.length);
    let bytesRead: number;
    if (state.handle !== null) {
      const handle = state.handle;
      state.readers += 1;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, place.length, place.offset));
      } finally {
        state.readers -= 1;
        if (state.readers === 0 && state.sealed && !(state.unlinked && state.pending > 0)) await this.releaseHandle(state);
      }
    } else {
      let handle: fs.FileHandle;
      try {
        handle = await fs.open(path.join(this.segmentsDir, `${state.name}.log`), "r");
      } catch (error) {
        throw new SpoolRecordUnreadable(`spool segment ${state.name} cannot be opened (${describe(error)})`, { cause: error });
      }
      try {
        ({ bytesRead } = await handle.read(buffer, 0, place.length, place.offset));
      } finally {
        await handle.close();
      }
    }
    if (bytesRead !== place.length) throw new SpoolRecordUnreadable(`spool record in segment ${state.name} is truncated`);
    const length = buffer.readUInt32LE(0);
    if (length !== place.length - HEADER_BYTES || crc32(buffer.subarray(HEADER_BYTES)) !== buffer.readUInt32LE(4)) {
      throw new SpoolRecordUnreadable(`spool record in segment ${state.name} is damaged (checksum)`);
    }
    return buffer;
  }

  private async releaseHandle(state: SegmentState): Promise<void> {
    if (state.readers > 0 || state.handle === null || this.active?.state === state) return;
    const handle = state.handle;
    state.handle = null;
    await closeQuietly(handle);
  }

  private async markDone(entry: SpoolEntry): Promise<void> {
    const place = this.places.get(entry.seq);
    if (place === undefined) return;
    const state = place.segment;
    // A removed segment's marks would only create a stray file in a recreated tree.
    if (!state.unlinked) {
      try {
        state.doneHandle ??= await fs.open(path.join(this.segmentsDir, `${state.name}.done`), "a");
        await state.doneHandle.write(`${entry.seq}\n`);
      } catch (error) {
        await closeQuietly(state.doneHandle);
        state.doneHandle = null;
        throw error;
      }
    }
    this.places.delete(entry.seq);
    state.pending -= 1;
    await this.removeIfFinished(state);
  }

  /** Deletes a sealed segment with nothing left to deliver (retried at the next rotation if that fails). */
  private async removeIfFinished(state: SegmentState): Promise<void> {
    if (!state.sealed || state.pending > 0 || state.readers > 0) return;
    await this.releaseHandle(state);
    await closeQuietly(state.doneHandle);
    state.doneHandle = null;
    if (!state.unlinked) {
      try {
        await fs.rm(path.join(this.segmentsDir, `${state.name}.log`), { force: true });
        await fs.rm(path.join(this.segmentsDir, `${state.name}.done`), { force: true });
      } catch {
        return;
      }
    }
    this.segments.delete(state.name);
  }
}

/** Writes all of `buffers` at `position`, continuing after partial writes. */
async function writeAll(handle: fs.FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let remaining = buffers.filter((b) => b.length > 0);
  let at = position;
  while (remaining.length > 0) {
    const { bytesWritten } = await handle.writev(remaining, at);
    at += bytesWritten;
    let skip = bytesWritten;
    const rest: Buffer[] = [];
    for (const buffer of remaining) {
      if (skip >= buffer.length) {
        skip -= buffer.length;
        continue;
      }
      rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
      skip = 0;
    }
    remaining = rest;
  }
}

async function closeQuietly(handle: fs.FileHandle | null): Promise<void> {
  if (handle === null) return;
  await handle.close().catch(() => undefined);
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === "string" && !message.includes(code) ? `${code}: ${message}` : message;
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

interface ScannedRecord {
  readonly seq: number;
  readonly sessionId: string;
  readonly offset: number;
  readonly length: number;
}

/** The intact records of a segment, stopping at the first torn or corrupt one. */
async function scanSegment(file: string): Promise<ScannedRecord[]> {
  const data = await fs.readFile(file);
  const records: ScannedRecord[] = [];
  let offset = 0;
  while (offset + HEADER_BYTES <= data.length) {
    const length = data.readUInt32LE(offset);
    const checksum = data.readUInt32LE(offset + 4);
    if (length === 0 || length > MAX_RECORD_BYTES || offset + HEADER_BYTES + length > data.length) break;
    const record = data.subarray(offset, offset + HEADER_BYTES + length);
    if (crc32(record.subarray(HEADER_BYTES)) !== checksum) break;
    let identity: { seq: number; sessionId: string };
    try {
      identity = recordIdentity(record);
    } catch {
      break;
    }
    records.push({ ...identity, offset, length: HEADER_BYTES + length });
    offset += HEADER_BYTES + length;
  }
  return records;
}

function recordIdentity(record: Buffer): { seq: number; sessionId: string } {
  const stored = decodeRecord(record, { withBody: false });
  return { seq: stored.seq, sessionId: stored.sessionId };
}

interface StoredMeta {
  seq: number;
  receivedAt: string;
  sessionId: string;
  contentType: string | null;
}

/** A record (header and payload) as a stored post; version 1 posts become form bodies. */
function decodeRecord(record: Buffer, options: { withBody: boolean } = { withBody: true }): StoredPost {
  const payload = record.subarray(HEADER_BYTES);
  if (payload[0] === PAYLOAD_VERSION) {
    const metaLength = payload.readUInt32LE(1);
    const meta = JSON.parse(payload.toString("utf8", META_PREFIX_BYTES, META_PREFIX_BYTES + metaLength)) as StoredMeta;
    return {
      seq: meta.seq,
      receivedAt: meta.receivedAt,
      sessionId: meta.sessionId,
      contentType: meta.contentType ?? undefined,
      body: options.withBody ? payload.subarray(META_PREFIX_BYTES + metaLength) : Buffer.alloc(0),
    };
  }
  // Version 1: JSON { version: 1, seq, receivedAt, post: { sessionId, fields, … } }.
  const legacy = JSON.parse(payload.toString("utf8")) as { seq: number; receivedAt: string; post: { sessionId: string; fields: Record<string, string> } };
  return {
    seq: legacy.seq,
    receivedAt: legacy.receivedAt,
    sessionId: legacy.post.sessionId,
    contentType: "application/x-www-form-urlencoded",
    body: options.withBody ? Buffer.from(new URLSearchParams(legacy.post.fields).toString(), "utf8") : Buffer.alloc(0),
  };
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

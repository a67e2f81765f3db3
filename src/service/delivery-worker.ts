/**
 * Delivers spooled posts to Dataverse: per-session order, several sessions at a time, retries
 * with backoff, dead letters for permanent refusals.
 *
 * Each session has a lane (a FIFO of its spooled posts, by arrival `seq`); only a lane's head is
 * ever in flight, so a session's posts are applied in the order received. Runnable lanes are
 * served round-robin up to `concurrency` at once. A retryable failure parks the lane for the
 * backoff delay (or Dataverse's `Retry-After`); the post stays in the spool throughout, so a
 * restart resumes from it. A permanent failure moves the post to dead/ with the reason and the
 * lane moves on.
 */
import { DataverseError } from "./dataverse-client";
import { errorSummary, type Logger } from "./log";
import type { DeliveryProgress, SessionWriter } from "./session-writer";
import type { Spool, SpoolEntry } from "./spool";

export interface BackoffOptions {
  /** First retry delay. */
  initialDelayMs: number;
  /** Upper bound of the exponential delay. */
  maxDelayMs: number;
  /** Random spread, 0–1, applied to computed delays (not to Retry-After). */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialDelayMs: 1_000, maxDelayMs: 5 * 60_000, jitter: 0.2 };

export interface DeliveryWorkerOptions {
  spool: Spool;
  writer: Pick<SessionWriter, "apply">;
  logger: Logger;
  concurrency?: number;
  backoff?: Partial<BackoffOptions>;
}

interface QueuedPost {
  readonly entry: SpoolEntry;
  readonly progress: DeliveryProgress;
  attempts: number;
}

interface Lane {
  readonly sessionId: string;
  readonly posts: QueuedPost[];
  /** Head in flight or waiting for its retry. */
  busy: boolean;
  /** Already in the runnable queue. */
  queued: boolean;
  retryTimer: NodeJS.Timeout | null;
}

export interface DeliveryStats {
  pending: number;
  inFlight: number;
  delivered: number;
  deadLettered: number;
  retries: number;
}

export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  const spread = base * options.jitter;
  return Math.max(0, Math.round(base - spread + random() * 2 * spread));
}

export class DeliveryWorker {
  private readonly spool: Spool;
  private readonly writer: Pick<SessionWriter, "apply">;
  private readonly logger: Logger;
  private readonly concurrency: number;
  private readonly backoff: BackoffOptions;
  private readonly lanes = new Map<string, Lane>();
  private readonly runnable: Lane[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = true;
  private pendingCount = 0;
  private readonly stats = { delivered: 0, deadLettered: 0, retries: 0 };
  private idleWaiters: (() => void)[] = [];

  constructor(options: DeliveryWorkerOptions) {
    this.spool = options.spool;
    this.writer = options.writer;
    this.logger = options.logger;
    this.concurrency = options.concurrency ?? 8;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  }

  /** Loads what the spool holds (posts accepted before a restart) and starts delivering. */
  start(): void {
    this.stopped = false;
    const pending = this.spool.recoveredEntries();
    for (const entry of pending) this.enqueue(entry);
    if (pending.length > 0) this.logger.info("resuming delivery of spooled posts", { count: pending.length });
  }

  /** Adds a newly stored post. */
  enqueue(entry: SpoolEntry): void {
    this.pendingCount += 1;
    let lane = this.lanes.get(entry.sessionId);
    if (lane === undefined) {
      lane = { sessionId: entry.sessionId, posts: [], busy: false, queued: false, retryTimer: null };
      this.lanes.set(entry.sessionId, lane);
    }
    const queued: QueuedPost = { entry, progress: { sessionWritten: false, caseActionsDone: false }, attempts: 0 };
    // Keep arrival order even when two stores of one session finished out of order.
    let index = lane.posts.length;
    const firstMovable = lane.busy ? 1 : 0;
    while (index > firstMovable && (lane.posts[index - 1]?.entry.seq ?? 0) > entry.seq) index -= 1;
    lane.posts.splice(index, 0, queued);
    if (!lane.busy) this.markRunnable(lane);
    this.pump();
  }

  getStats(): DeliveryStats {
    return { pending: this.pendingCount, inFlight: this.inFlight.size, ...this.stats };
  }

  /** Resolves when nothing is pending (for tests and orderly shutdown). */
  whenIdle(): Promise<void> {
    if (this.pendingCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking new work and waits for the posts in hand to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const lane of this.lanes.values()) {
      if (lane.retryTimer !== null) {
        clearTimeout(lane.retryTimer);
        lane.retryTimer = null;
      }
    }
    await Promise.allSettled([...this.inFlight]);
  }

  private pump(): void {
    while (!this.stopped && this.inFlight.size < this.concurrency && this.runnable.length > 0) {
      const lane = this.runnable.shift();
      if (lane === undefined) break;
      lane.queued = false;
      const head = lane.posts[0];
      if (head === undefined || lane.busy) continue;
      lane.busy = true;
      const run = this.deliver(lane, head).finally(() => {
        this.inFlight.delete(run);
        this.pump();
      });
      this.inFlight.add(run);
    }
  }

  private async deliver(lane: Lane, post: QueuedPost): Promise<void> {
    post.attempts += 1;
    const log = this.logger.child({ sessionId: lane.sessionId, seq: post.entry.seq, attempt: post.attempts });
    try {
      const record = await this.spool.read(post.entry);
      const result = await this.writer.apply(record.post, post.progress);
      await this.spool.complete(post.entry);
      this.stats.delivered += 1;
      log.info("post delivered", { outcome: result.outcome, chatAppended: result.chatAppended, caseLinked: result.caseLinked });
      this.finishHead(lane);
    } catch (error) {
      if (error instanceof DataverseError && error.kind === "permanent") {
        log.error("post refused by Dataverse for good: moved to dead letters", { status: error.details.status, code: error.details.code });
        try {
          await this.spool.deadLetter(post.entry, error.message, error.details.status);
          this.stats.deadLettered += 1;
          this.finishHead(lane);
          return;
        } catch (moveError) {
          log.error("could not move the post to dead letters; will retry", { error: errorSummary(moveError) });
        }
      }
      if (isMissingFile(error)) {
        log.warn("spooled post disappeared from the spool before delivery: skipped");
        this.finishHead(lane);
        return;
      }
      if (isUnreadableRecord(error)) {
        log.error("spooled post cannot be read: moved to dead letters", { error: errorSummary(error) });
        await this.spool.deadLetter(post.entry, `unreadable spool record: ${errorSummary(error)}`).catch(() => undefined);
        this.stats.deadLettered += 1;
        this.finishHead(lane);
        return;
      }
      const retryAfterMs = error instanceof DataverseError ? error.details.retryAfterMs : undefined;
      const delay = retryAfterMs ?? backoffDelay(post.attempts, this.backoff);
      this.stats.retries += 1;
      log.warn("delivery failed: will retry", { error: errorSummary(error), retryInMs: delay, status: error instanceof DataverseError ? error.details.status : undefined });
      this.parkLane(lane, delay);
    }
  }

  private finishHead(lane: Lane): void {
    lane.posts.shift();
    this.pendingCount -= 1;
    lane.busy = false;
    if (lane.posts.length > 0) this.markRunnable(lane);
    else this.lanes.delete(lane.sessionId);
    if (this.pendingCount === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private parkLane(lane: Lane, delayMs: number): void {
    if (this.stopped) return;
    lane.retryTimer = setTimeout(() => {
      lane.retryTimer = null;
      lane.busy = false;
      this.markRunnable(lane);
      this.pump();
    }, delayMs);
  }

  private markRunnable(lane: Lane): void {
    if (lane.queued) return;
    lane.queued = true;
    this.runnable.push(lane);
  }
}

function isMissingFile(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === "ENOENT";
}

function isUnreadableRecord(error: unknown): boolean {
  return error instanceof SyntaxError;
}

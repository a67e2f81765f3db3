/**
 * Delivers spooled posts to Dataverse: per-session order, several sessions at a time, retries
 * with backoff, dead letters for permanent refusals.
 *
 * Each session has a lane (a FIFO of its spooled posts, by arrival `seq`); only a lane's head is
 * ever in flight, so a session's posts are applied in the order received. Runnable lanes are
 * served round-robin up to `concurrency` at once. Each post is read back from the spool and
 * parsed there (the spool keeps the body as received). Which failures are retried and how long
 * a lane waits is the retry policy's (retry-policy.ts: `isRetryable`, `retryDelay`); the post
 * stays in the spool throughout, so a restart resumes from it. A post the policy gives up on
 * (Dataverse refused it for good, its record cannot be read back or no longer parses) moves to
 * dead/ with the reason and the lane moves on; if even the dead letter cannot be written, that
 * is retried and counted (`undeliverable`, shown by /readyz), never skipped.
 */
import { DataverseError } from "./dataverse-client";
import { errorSummary, type Logger } from "./log";
import { parseRescuePost, PostRejected, type RescuePost } from "./post-parser";
import { DEFAULT_BACKOFF, isRetryable, retryAfterOf, retryDelay, type BackoffOptions } from "./retry-policy";
import type { DeliveryProgress, SessionWriter } from "./session-writer";
import { SpoolRecordUnreadable, type DeadLetterDetail, type Spool, type SpoolEntry } from "./spool";

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
  /** Posts that need a dead letter which could not be written yet (retried; shown by /readyz). */
  undeliverable: number;
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
  private readonly undeliverable = new Set<number>();
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
    if (pending.length > 0) this.logger.info({ count: pending.length }, "resuming delivery of spooled posts");
  }

  /** Adds a newly stored post. */
  enqueue(entry: SpoolEntry): void {
    this.pendingCount += 1;
    let lane = this.lanes.get(entry.sessionId);
    if (lane === undefined) {
      lane = { sessionId: entry.sessionId, posts: [], busy: false, queued: false, retryTimer: null };
      this.lanes.set(entry.sessionId, lane);
    }
    const queued: QueuedPost = { entry, progress: { sessionWritten: false, technicianArrived: false, caseActionsDone: false }, attempts: 0 };
    // Keep arrival order even when two stores of one session finished out of order.
    let index = lane.posts.length;
    const firstMovable = lane.busy ? 1 : 0;
    while (index > firstMovable && (lane.posts[index - 1]?.entry.seq ?? 0) > entry.seq) index -= 1;
    lane.posts.splice(index, 0, queued);
    if (!lane.busy) this.markRunnable(lane);
    this.pump();
  }

  getStats(): DeliveryStats {
    return { pending: this.pendingCount, inFlight: this.inFlight.size, ...this.stats, undeliverable: this.undeliverable.size };
  }

  /** Resolves when nothing is pending (for tests and orderly shutdown). */
  whenIdle(): Promise<void> {
    if (this.pendingCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops taking new work and waits for the posts in hand to finish, at most `graceMs`: a
   * delivery still running then is abandoned, and its post stays in the spool for the next start.
   */
  async stop(graceMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.stopped = true;
    for (const lane of this.lanes.values()) {
      if (lane.retryTimer !== null) {
        clearTimeout(lane.retryTimer);
        lane.retryTimer = null;
      }
    }
    const settled = Promise.allSettled([...this.inFlight]);
    if (!Number.isFinite(graceMs)) {
      await settled;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([settled, deadline]);
    clearTimeout(timer);
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
    let parsed: RescuePost | undefined;
    try {
      parsed = await this.readPost(post.entry);
      const result = await this.writer.apply(parsed, post.progress);
      await this.spool.complete(post.entry);
      this.stats.delivered += 1;
      this.undeliverable.delete(post.entry.seq);
      log.info({ outcome: result.outcome, chatAppended: result.chatAppended, caseLinked: result.caseLinked }, "post delivered");
      this.finishHead(lane);
      return;
    } catch (error) {
      const deadLetter = isRetryable(error) ? null : deadLetterFor(error, parsed);
      if (deadLetter !== null) {
        log.error({ reason: deadLetter.detail.reason, status: deadLetter.detail.status }, deadLetter.logMessage);
        try {
          await this.spool.deadLetter(post.entry, deadLetter.detail);
          this.stats.deadLettered += 1;
          this.undeliverable.delete(post.entry.seq);
          this.finishHead(lane);
          return;
        } catch (moveError) {
          this.undeliverable.add(post.entry.seq);
          log.error({ error: errorSummary(moveError) }, "could not move the post to dead letters; will retry");
        }
      }
      const delay = retryDelay(post.attempts, retryAfterOf(error), this.backoff);
      this.stats.retries += 1;
      if (deadLetter === null) {
        log.warn({ error: errorSummary(error), retryInMs: delay, status: error instanceof DataverseError ? error.details.status : undefined }, "delivery failed: will retry");
      }
      this.parkLane(lane, delay);
    }
  }

  /** The spooled post, parsed; the stored bytes are not kept while Dataverse is written. */
  private async readPost(entry: SpoolEntry): Promise<RescuePost> {
    const stored = await this.spool.read(entry);
    return parseRescuePost({ body: stored.body, contentType: stored.contentType });
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

/** The dead letter for a failure the retry policy gives up on: Dataverse refused the post for good, the stored record cannot be read back, or it no longer parses. */
function deadLetterFor(error: unknown, post: RescuePost | undefined): { logMessage: string; detail: DeadLetterDetail } | null {
  if (error instanceof DataverseError) {
    return {
      logMessage: "post refused by Dataverse for good: moved to dead letters",
      detail: { reason: error.message, ...(error.details.status === undefined ? {} : { status: error.details.status }), ...(post === undefined ? {} : { post }) },
    };
  }
  if (error instanceof SpoolRecordUnreadable) {
    return { logMessage: "spooled post cannot be read back: moved to dead letters", detail: { reason: `unreadable spool record: ${error.message}` } };
  }
  if (error instanceof PostRejected) {
    return { logMessage: "spooled post no longer parses: moved to dead letters", detail: { reason: `stored post cannot be parsed: ${error.reason}` } };
  }
  return null;
}

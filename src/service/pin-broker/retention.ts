/**
 * Retention of PIN request rows (DESIGN.md §5): rows created more than `PIN_REQUEST_RETENTION_DAYS`
 * days ago are deleted with plain DELETE requests, once at start and then daily. A run takes the
 * oldest rows a page at a time, one DELETE after the other (gentle on Dataverse's service
 * protection limits), and stops at the first failure, which is logged: the next run starts over.
 * Nothing here is ever fatal to the service.
 */
import { errorSummary, type Logger } from "../log";
import type { PinRequestStore } from "./pin-request-store";

const DAY_MS = 24 * 3600_000;

export interface RetentionOptions {
  store: Pick<PinRequestStore, "listOlderThan" | "remove">;
  retentionDays: number;
  logger: Logger;
  /** Time between runs (a day). */
  intervalMs?: number;
  /** Rows listed per page. */
  pageSize?: number;
  /** Upper bound of rows one run deletes (the next run goes on). */
  maxPerRun?: number;
}

export interface RetentionRun {
  deleted: number;
  failed: boolean;
}

export class PinRequestRetention {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<RetentionRun> | null = null;
  private stopped = false;
  private readonly intervalMs: number;
  private readonly pageSize: number;
  private readonly maxPerRun: number;

  constructor(private readonly options: RetentionOptions) {
    this.intervalMs = options.intervalMs ?? DAY_MS;
    this.pageSize = options.pageSize ?? 100;
    this.maxPerRun = options.maxPerRun ?? 50_000;
  }

  /** Runs once now and then every interval; the timer does not keep the process alive. */
  start(): void {
    this.stopped = false;
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the schedule and waits for a run in hand (which stops after its current DELETE). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One run (a run already in hand is shared, not doubled). */
  runOnce(): Promise<RetentionRun> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<RetentionRun> {
    const { store, logger, retentionDays } = this.options;
    const cutoff = new Date(Date.now() - retentionDays * DAY_MS);
    let deleted = 0;
    try {
      while (!this.stopped && deleted < this.maxPerRun) {
        const ids = await store.listOlderThan(cutoff, this.pageSize);
        for (const id of ids) {
          if (this.stopped) break;
          await store.remove(id);
          deleted += 1;
        }
        if (ids.length < this.pageSize) break;
      }
    } catch (error) {
      logger.warn({ deleted, error: errorSummary(error) }, "PIN request retention: run stopped by a failure; the next run goes on");
      return { deleted, failed: true };
    }
    if (deleted > 0) logger.info({ deleted, olderThan: cutoff.toISOString() }, "PIN request retention: old rows deleted");
    return { deleted, failed: false };
  }
}

/**
 * Per-session ledger of the posts already applied to Dataverse, keyed by the post digest
 * (SHA-256 of the event and the variables).
 *
 * It lets an identical replay (Rescue resending a post, or the same post reaching us twice) be
 * skipped as a whole, so it neither appends its chat again nor rolls newer values back. The
 * ledger is written after the Dataverse write succeeded, so a crash in between leaves no entry;
 * that window is covered by the chat check in the mapper (a chunk already stored is not
 * appended again). One small append-only file per session under `<spool>/applied/`; files not
 * touched for `retentionMs` are pruned. A failure of the ledger itself is a `LedgerError`, so the
 * log says it was the ledger and not Dataverse.
 */
import fs from "node:fs/promises";
import path from "node:path";

/** The ledger itself failed (not Dataverse): the message says so, the delivery is retried. */
export class LedgerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LedgerError";
  }
}

export class AppliedLedger {
  constructor(
    private readonly dir: string,
    private readonly retentionMs: number = 14 * 24 * 3600 * 1000,
  ) {}

  async has(sessionId: string, digest: string): Promise<boolean> {
    try {
      const text = await fs.readFile(this.fileOf(sessionId), "utf8");
      return text.split("\n").includes(digest);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw new LedgerError(`applied-post ledger of session ${sessionId} could not be read (${codeOf(error)})`, { cause: error });
    }
  }

  async record(sessionId: string, digest: string): Promise<void> {
    try {
      await this.append(sessionId, digest);
    } catch (error) {
      throw new LedgerError(`applied-post ledger of session ${sessionId} could not be written (${codeOf(error)})`, { cause: error });
    }
  }

  private async append(sessionId: string, digest: string): Promise<void> {
    try {
      await fs.appendFile(this.fileOf(sessionId), `${digest}\n`, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      // The directory was removed (with SPOOL_DIR's contents): made again, inside SPOOL_DIR only.
      await fs.mkdir(this.dir).catch((mkdirError: unknown) => {
        if ((mkdirError as NodeJS.ErrnoException).code !== "EEXIST") throw mkdirError;
      });
      await fs.appendFile(this.fileOf(sessionId), `${digest}\n`, "utf8");
    }
  }

  /** Removes ledgers of sessions that have been quiet for longer than the retention. */
  async prune(now: number = Date.now()): Promise<number> {
    let removed = 0;
    for (const name of await fs.readdir(this.dir)) {
      const file = path.join(this.dir, name);
      try {
        const stat = await fs.stat(file);
        if (now - stat.mtimeMs > this.retentionMs) {
          await fs.rm(file, { force: true });
          removed += 1;
        }
      } catch {
        // Removed concurrently: nothing to do.
      }
    }
    return removed;
  }

  private fileOf(sessionId: string): string {
    // Session ids are checked against SESSION_ID_PATTERN before they reach the spool.
    return path.join(this.dir, `${sessionId}.txt`);
  }
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : error instanceof Error ? error.message : String(error);
}

/**
 * Applies one spooled post to Dataverse:
 *
 * 1. skip it if the applied-posts ledger already has its digest (identical replay);
 * 2. check the Case named by `Tracking0` (a Case id that exists → linked; else stored without
 *    the link, reason logged);
 * 3. upsert `lmi_sessions(lmi_rescuesessionid='…')` with optimistic concurrency: read the row and
 *    its ETag, merge (chat appended, status forward only), PATCH with `If-Match: <etag>` — or
 *    `If-None-Match: *` to create — and start over on 412 (at most the retry policy's
 *    `CONCURRENCY_ROUNDS`; then the try fails and the delivery is retried);
 * 4. with "reassign", when a technician arrives on the session (the post that creates the row, or
 *    one whose TechID differs from the stored one: a transfer), assign the Case to that
 *    technician's Dynamics user — not on every hold or console-refresh post, which would undo a
 *    reassignment made by a person during the session;
 *    at session end with "close ticket", resolve the Case unless it is resolved or cancelled
 *    (also when that happened after it was read: the refused action is then not a failure);
 * 5. record the digest in the ledger.
 *
 * `progress` survives retries of the same post within this process, so a failed Case action is
 * retried without writing the session again.
 */
import { alternateKeyPath, bindProperty, bindTarget, collectionRows, entityPath, lookupValueProperty, odataLiteral, odataQuery } from "../dataverse/odata";
import * as Incident from "../model/incident";
import * as IncidentFields from "../model/incident-fields";
import * as Session from "../model/session";
import * as SessionFields from "../model/session-fields";
import { IncidentResolution, SystemUser } from "../model/standard-tables";
import * as UserSettings from "../model/user-settings";
import * as UserSettingsFields from "../model/user-settings-fields";
import { parseGuid } from "../common/guid";
import type { AppliedLedger } from "./applied-ledger";
import type { ConfigurationOptions } from "./configuration-options";
import { DataverseError, type DataverseTransport } from "./dataverse-client";
import type { Logger } from "./log";
import type { RescuePost } from "./post-parser";
import { CONCURRENCY_ROUNDS } from "./retry-policy";
import { mapPostToSession, type StoredSession } from "./session-mapper";

export interface DeliveryProgress {
  sessionWritten: boolean;
  /** Set with `sessionWritten`: this post created the session row or brought another technician. */
  technicianArrived: boolean;
  caseActionsDone: boolean;
}

export interface ApplyOutcome {
  readonly outcome: "applied" | "replay skipped";
  readonly chatAppended: boolean;
  readonly caseLinked: boolean;
}

interface CaseRef {
  readonly id: string;
  readonly stateCode: number;
  readonly ownerId: string | null;
}

/** The Case id in `Tracking0` (braces optional, any case), lower case; null if it is not a GUID. */
export function caseIdFromTracking(tracking0: string | undefined): string | null {
  return parseGuid(tracking0 ?? "");
}

export class SessionWriter {
  constructor(
    private readonly dataverse: DataverseTransport,
    private readonly options: ConfigurationOptions,
    private readonly ledger: AppliedLedger,
    private readonly logger: Logger,
  ) {}

  async apply(post: RescuePost, progress: DeliveryProgress): Promise<ApplyOutcome> {
    const log = this.logger.child({ sessionId: post.sessionId, event: post.event });
    if (!progress.sessionWritten && (await this.ledger.has(post.sessionId, post.digest))) {
      log.info("identical post already applied: skipped");
      return { outcome: "replay skipped", chatAppended: false, caseLinked: false };
    }

    const caseRef = await this.findCase(post, log);
    let chatAppended = false;
    if (!progress.sessionWritten) {
      const written = await this.upsertSession(post, caseRef, log);
      chatAppended = written.chatAppended;
      progress.technicianArrived = written.technicianArrived;
      progress.sessionWritten = true;
    }
    if (!progress.caseActionsDone) {
      if (caseRef !== null) await this.runCaseActions(post, caseRef, progress.technicianArrived, log);
      progress.caseActionsDone = true;
    }
    await this.ledger.record(post.sessionId, post.digest);
    return { outcome: "applied", chatAppended, caseLinked: caseRef !== null };
  }

  private async findCase(post: RescuePost, log: Logger): Promise<CaseRef | null> {
    const tracking = (post.fields.Tracking0 ?? "").trim();
    if (tracking === "") {
      log.info("no Tracking0: session stored without a Case link");
      return null;
    }
    const id = caseIdFromTracking(tracking);
    if (id === null) {
      log.warn("Tracking0 is not a Case id: session stored without a Case link");
      return null;
    }
    const F = IncidentFields;
    const owner = lookupValueProperty(F.ownerId);
    const response = await this.dataverse.send({
      method: "GET",
      path: `${entityPath(Incident.entitySet, id)}${odataQuery({ select: [F.stateCode, owner] })}`,
      expect: [403, 404],
    });
    if (response.status === 404) {
      log.warn({ caseId: id }, "Tracking0 names a Case that does not exist: session stored without a Case link");
      return null;
    }
    if (response.status === 403) {
      log.warn({ caseId: id }, "the integration user may not read the Case named by Tracking0 (check its LogMeIn Integration User role): session stored without a Case link");
      return null;
    }
    const row = (response.json ?? {}) as Record<string, unknown>;
    const state = row[F.stateCode];
    const stateCode = typeof state === "number" ? state : Incident.state.Active;
    const ownerId = row[owner];
    return { id, stateCode, ownerId: typeof ownerId === "string" ? ownerId.toLowerCase() : null };
  }

  private sessionPath(sessionId: string): string {
    return alternateKeyPath(Session.entitySet, SessionFields.rescueSessionId, odataLiteral(sessionId));
  }

  private async readSession(sessionId: string): Promise<{ etag: string; stored: StoredSession; techId: string } | null> {
    const F = SessionFields;
    const response = await this.dataverse.send({
      method: "GET",
      path: `${this.sessionPath(sessionId)}${odataQuery({ select: [F.chatLog, F.status, F.techId] })}`,
      expect: [404],
    });
    if (response.status === 404) return null;
    const row = (response.json ?? {}) as Record<string, unknown>;
    const etagValue = row["@odata.etag"] ?? response.headers.etag;
    if (typeof etagValue !== "string" || etagValue === "") {
      throw new DataverseError("session row came back without an ETag", "retryable");
    }
    const chatLog = row[F.chatLog];
    const status = row[F.status];
    const techId = row[F.techId];
    return {
      etag: etagValue,
      stored: { chatLog: typeof chatLog === "string" ? chatLog : "", status: typeof status === "number" ? status : null },
      techId: typeof techId === "string" ? techId.trim() : "",
    };
  }

  /** Writes the session; tells whether chat was appended and whether a technician arrived (row created, or another TechID). */
  private async upsertSession(post: RescuePost, caseRef: CaseRef | null, log: Logger): Promise<{ chatAppended: boolean; technicianArrived: boolean }> {
    for (let round = 1; round <= CONCURRENCY_ROUNDS; round += 1) {
      const current = await this.readSession(post.sessionId);
      const write = mapPostToSession(post, current?.stored ?? null);
      for (const problem of write.problems) {
        log.warn(problem.raw === undefined ? {} : { raw: problem.raw }, `value ${problem.problem}: ${problem.variable}`);
      }
      const body: Record<string, unknown> = { ...write.columns };
      if (caseRef !== null) body[bindProperty(Session.caseIdNavigation)] = bindTarget(Incident.entitySet, caseRef.id);
      const response = await this.dataverse.send({
        method: "PATCH",
        path: this.sessionPath(post.sessionId),
        body,
        headers: current === null ? { "if-none-match": "*" } : { "if-match": current.etag },
        expect: [404, 412],
      });
      if (response.status < 300) {
        if (write.chatAlreadyStored) log.info("chat of this post is already stored: not appended again");
        log.info({ chatAppended: write.chatAppended, caseLinked: caseRef !== null }, current === null ? "session created" : "session updated");
        const techId = (post.fields.TechID ?? "").trim();
        return { chatAppended: write.chatAppended, technicianArrived: current === null || (techId !== "" && techId !== current.techId) };
      }
      log.info({ status: response.status, round }, "session changed meanwhile: reading it again");
    }
    throw new DataverseError("session kept changing during the write (optimistic concurrency)", "retryable");
  }

  private async runCaseActions(post: RescuePost, caseRef: CaseRef, technicianArrived: boolean, log: Logger): Promise<void> {
    const options = await this.options.get();
    if (post.event === "start" && options.reassignCaseOnSessionStart) {
      if (technicianArrived) await this.reassignCase(post, caseRef, log);
      else log.info({ caseId: caseRef.id }, "same technician as before: Case not reassigned again");
    }
    if (post.event === "end" && options.closeTicketOnSessionEnd) await this.resolveCase(post, caseRef, log);
  }

  private async reassignCase(post: RescuePost, caseRef: CaseRef, log: Logger): Promise<void> {
    if (caseRef.stateCode !== Incident.state.Active) {
      log.info({ caseId: caseRef.id }, "Case is not active: not reassigned");
      return;
    }
    const userId = await this.findTechnicianUser(post);
    if (userId === null) {
      log.warn({
        caseId: caseRef.id,
      }, "technician has no Dynamics user (no user settings with this technician or SSO id, no user with this email): Case not reassigned");
      return;
    }
    if (caseRef.ownerId === userId) {
      log.info({ caseId: caseRef.id }, "Case already belongs to the technician");
      return;
    }
    try {
      await this.dataverse.send({
        method: "PATCH",
        path: entityPath(Incident.entitySet, caseRef.id),
        body: { [bindProperty(IncidentFields.ownerId)]: bindTarget(SystemUser.entitySet, userId) },
        headers: { "if-match": "*" },
      });
    } catch (error) {
      if (await this.caseClosedMeanwhile(error, caseRef, log)) return;
      throw error;
    }
    log.info({ caseId: caseRef.id, userId }, "Case reassigned to the technician");
  }

  private async findTechnicianUser(post: RescuePost): Promise<string | null> {
    const U = UserSettingsFields;
    const userId = lookupValueProperty(U.userId);
    const byColumn: [string, string | undefined][] = [
      [U.techId, post.fields.TechID],
      [U.ssoId, post.fields.TechSSOID],
    ];
    for (const [column, raw] of byColumn) {
      const value = (raw ?? "").trim();
      if (value === "") continue;
      const response = await this.dataverse.send({
        method: "GET",
        path: `${UserSettings.entitySet}${odataQuery({ select: [userId], filter: `${column} eq ${odataLiteral(value)} and ${U.stateCode} eq 0`, top: 1 })}`,
      });
      const id = firstValue(response.json, userId);
      if (id !== null) return id.toLowerCase();
    }
    const email = (post.fields.TechEmail ?? "").trim();
    if (email !== "") {
      const S = SystemUser.fields;
      const response = await this.dataverse.send({
        method: "GET",
        path: `${SystemUser.entitySet}${odataQuery({ select: [SystemUser.primaryId], filter: `${S.internalEmailAddress} eq ${odataLiteral(email)} and ${S.isDisabled} eq false`, top: 1 })}`,
      });
      const id = firstValue(response.json, SystemUser.primaryId);
      if (id !== null) return id.toLowerCase();
    }
    return null;
  }

  private async resolveCase(post: RescuePost, caseRef: CaseRef, log: Logger): Promise<void> {
    if (caseRef.stateCode !== Incident.state.Active) {
      log.info({ caseId: caseRef.id, stateCode: caseRef.stateCode }, "Case already resolved or cancelled: not resolved again");
      return;
    }
    const R = IncidentResolution.fields;
    try {
      await this.dataverse.send({
        method: "POST",
        path: IncidentResolution.closeAction,
        body: {
          IncidentResolution: {
            "@odata.type": `Microsoft.Dynamics.CRM.${IncidentResolution.entity}`,
            [R.subject]: `LogMeIn Rescue session ${post.sessionId} ended`,
            [bindProperty(R.incidentId)]: bindTarget(Incident.entitySet, caseRef.id),
          },
          Status: Incident.resolvedStatus,
        },
      });
    } catch (error) {
      if (await this.caseClosedMeanwhile(error, caseRef, log)) return;
      throw error;
    }
    log.info({ caseId: caseRef.id }, "Case resolved at session end");
  }

  /**
   * After Dataverse refused a Case action for good: true when the Case is no longer active
   * (resolved, cancelled or deleted since it was read), which makes the action moot, not a
   * failure of the post.
   */
  private async caseClosedMeanwhile(error: unknown, caseRef: CaseRef, log: Logger): Promise<boolean> {
    if (!(error instanceof DataverseError) || error.kind !== "permanent") return false;
    const stateCode = IncidentFields.stateCode;
    const response = await this.dataverse.send({ method: "GET", path: `${entityPath(Incident.entitySet, caseRef.id)}${odataQuery({ select: [stateCode] })}`, expect: [404] });
    const state = response.status === 404 ? null : ((response.json ?? {}) as Record<string, unknown>)[stateCode];
    if (state === Incident.state.Active) return false;
    log.info({
      caseId: caseRef.id,
      stateCode: typeof state === "number" ? state : null,
      refusedWith: error.details.status,
    }, "Case was resolved, cancelled or deleted meanwhile: Case action not needed");
    return true;
  }
}

function firstValue(json: unknown, column: string): string | null {
  for (const row of collectionRows(json)) {
    const value = row[column];
    if (typeof value === "string" && value !== "") return value;
  }
  return null;
}

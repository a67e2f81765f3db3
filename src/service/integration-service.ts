/**
 * The integration service's wiring, in one place: every part is constructed here and handed what
 * it needs (no part constructs its own dependencies), and the service owns their lifecycle:
 * - the log (log.ts) for every part; its secrets for the PIN broker, which hides what it learns;
 * - one outbound HTTPS client (fetch) for the token provider (sign-in), the Dataverse transport
 *   and the Rescue transport;
 * - the configuration cache, shared by the session writer, the PIN broker and readiness;
 * - Post to URL: receiver → spool → delivery worker → session writer → Dataverse;
 * - the PIN broker (PIN request and user settings stores, Rescue API) and its retention job;
 * - the HTTP app (Fastify): the receiver, the PIN broker's routes, /healthz and /readyz.
 *
 * Constructor options beyond the environment configuration are for embedding and tests: the log,
 * the certificates trusted for outbound calls (default: Node's standard store), retry backoff,
 * cache durations, the PIN broker's timings. `main.ts` uses the defaults.
 */
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { RescueApi } from "../rescue/api";
import { AppliedLedger } from "./applied-ledger";
import { BasicCredentials } from "./basic-auth";
import type { ServiceConfig } from "./config";
import { ConfigurationOptions } from "./configuration-options";
import { DataverseTransport } from "./dataverse-client";
import { DeliveryWorker } from "./delivery-worker";
import { buildHttpApp } from "./http-app";
import { HttpsClient } from "./https-client";
import { createServiceLog, errorSummary, type Logger, type ServiceLog } from "./log";
import { PinBroker } from "./pin-broker/broker";
import { PinRequestStore } from "./pin-broker/pin-request-store";
import { createRescueTransport } from "./pin-broker/rescue-transport";
import { PinRequestRetention } from "./pin-broker/retention";
import { UserSettingsStore } from "./pin-broker/user-settings-store";
import { ReadinessCheck } from "./readiness";
import { PIN_BROKER_TIMINGS, type BackoffOptions, type PinBrokerTimings } from "./retry-policy";
import { SessionWriter } from "./session-writer";
import { Spool } from "./spool";
import { MsalTokenProvider } from "./token-provider";

/** How long a stop waits for requests in hand before closing every connection. */
const REQUEST_DRAIN_MS = 3_000;
/** How long a stop waits for deliveries in hand. */
const DELIVERY_GRACE_MS = 3_000;
/** How often applied-post ledgers untouched for 14 days are pruned. */
const LEDGER_PRUNE_INTERVAL_MS = 6 * 3600_000;

/** PIN broker settings for tests and embedding; production uses the defaults. */
export interface PinBrokerTuning {
  /** The deadline and Rescue timings (the retry policy's `PIN_BROKER_TIMINGS`). */
  timings: Partial<PinBrokerTimings>;
  /** How long an agent's user settings are reused (10 min). */
  settingsCacheMs: number;
  /** Per-address rate limit of `POST /api/pin` (routes.ts: `PIN_RATE_LIMIT`). */
  rateLimit: { max: number; timeWindowMs: number };
}

export interface IntegrationServiceOptions {
  config: ServiceConfig;
  /** The log (default: JSON lines on stdout); the configuration's secrets are added to its redaction. */
  log?: ServiceLog;
  /** CA certificates (PEM) trusted for outbound HTTPS (Dataverse, sign-in, Rescue) instead of Node's standard store (tests). */
  trustedCertificates?: readonly string[];
  backoff?: Partial<BackoffOptions>;
  deliveryConcurrency?: number;
  /** How long the configuration row's options are reused. */
  configurationCacheMs?: number;
  /** How long the Dataverse part of /readyz is reused. */
  readinessCacheMs?: number;
  /** Outbound request timeout (Dataverse, sign-in). */
  requestTimeoutMs?: number;
  /** PIN broker timings, settings cache and rate limit. */
  pinBroker?: Partial<PinBrokerTuning>;
}

/** What the service stops and closes. */
interface ServiceParts {
  app: FastifyInstance;
  worker: DeliveryWorker;
  spool: Spool;
  logger: Logger;
  http: HttpsClient;
  ledger: AppliedLedger;
  retention: PinRequestRetention;
}

export class IntegrationService {
  readonly app: FastifyInstance;
  readonly worker: DeliveryWorker;
  readonly spool: Spool;
  private readonly logger: Logger;
  private readonly http: HttpsClient;
  private readonly ledger: AppliedLedger;
  private readonly retention: PinRequestRetention;
  private pruneTimer: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;

  private constructor(parts: ServiceParts) {
    this.app = parts.app;
    this.worker = parts.worker;
    this.spool = parts.spool;
    this.logger = parts.logger;
    this.http = parts.http;
    this.ledger = parts.ledger;
    this.retention = parts.retention;
  }

  static async create(options: IntegrationServiceOptions): Promise<IntegrationService> {
    const { config, pinBroker: tuning = {} } = options;
    const log = options.log ?? createServiceLog();
    log.secrets.keep(config.clientSecret, config.postPassword);
    const { logger } = log;

    // Outbound: one HTTPS client (fetch) for Dataverse, sign-in and Rescue.
    const http = new HttpsClient({
      ...(options.trustedCertificates === undefined ? {} : { trustedCertificates: options.trustedCertificates }),
      ...(options.requestTimeoutMs === undefined ? {} : { timeoutMs: options.requestTimeoutMs }),
    });
    const tokens = new MsalTokenProvider({
      tenantId: config.tenantId,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      authorityHost: config.authorityHost,
      resource: config.dataverseUrl,
      http,
      logger,
    });
    const dataverse = new DataverseTransport({ organizationUrl: config.dataverseUrl, http, tokens });
    const configuration = new ConfigurationOptions(dataverse, logger, options.configurationCacheMs);
    const rescue = new RescueApi(createRescueTransport({ http, allowedHosts: config.rescueAllowedHosts }));

    // Post to URL: spool → delivery worker → session writer → Dataverse.
    const spool = await Spool.open(config.spoolDir);
    const ledger = new AppliedLedger(spool.appliedDir);
    const writer = new SessionWriter(dataverse, configuration, ledger, logger);
    const worker = new DeliveryWorker({
      spool,
      writer,
      logger,
      ...(options.deliveryConcurrency === undefined ? {} : { concurrency: options.deliveryConcurrency }),
      ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    });

    // The PIN broker and its retention job.
    const pinRequests = new PinRequestStore(dataverse);
    const broker = new PinBroker({
      requests: pinRequests,
      settings: new UserSettingsStore(dataverse, tuning.settingsCacheMs === undefined ? {} : { ttlMs: tuning.settingsCacheMs }),
      configuration,
      rescue,
      allowedHosts: config.rescueAllowedHosts,
      secrets: log.secrets,
      timings: { ...PIN_BROKER_TIMINGS, ...tuning.timings },
    });
    const retention = new PinRequestRetention({ store: pinRequests, retentionDays: config.pinRequestRetentionDays, logger });

    const readiness = new ReadinessCheck(
      spool,
      dataverse,
      () => worker.getStats(),
      { configuration, allowedHosts: config.rescueAllowedHosts },
      options.readinessCacheMs,
    );
    const app = buildHttpApp({
      credentials: new BasicCredentials(config.postUsername, config.postPassword),
      spool,
      onStored: (entry) => worker.enqueue(entry),
      readiness,
      logger,
      pinBroker: { broker, allowedOrigin: config.allowedOrigin, ...(tuning.rateLimit === undefined ? {} : { rateLimit: tuning.rateLimit }) },
      trustProxy: config.trustProxy,
    });
    return new IntegrationService({ app, worker, spool, logger, http, ledger, retention });
  }

  /** Starts delivering what the spool holds, then listens. */
  async listen(host: string, port: number): Promise<AddressInfo> {
    this.worker.start();
    await this.app.listen({ host, port });
    this.pruneTimer = setInterval(() => {
      this.ledger.prune().catch((error: unknown) => this.logger.warn({ error: errorSummary(error) }, "could not prune applied-post ledgers"));
    }, LEDGER_PRUNE_INTERVAL_MS);
    this.pruneTimer.unref();
    this.retention.start();
    const address = this.app.server.address() as AddressInfo;
    this.logger.info({ host: address.address, port: address.port }, "integration service listening");
    return address;
  }

  /**
   * Graceful stop, bounded in time: no new requests; requests in hand get `REQUEST_DRAIN_MS` to
   * finish, then every connection still open (slow or idle clients) is closed; deliveries in hand
   * get `DELIVERY_GRACE_MS`, and one still running after that stays in the spool for the next start.
   */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    if (this.pruneTimer !== null) clearInterval(this.pruneTimer);
    const cutConnections = setTimeout(() => this.app.server.closeAllConnections(), REQUEST_DRAIN_MS);
    await this.retention.stop();
    await this.app.close();
    clearTimeout(cutConnections);
    await this.worker.stop(DELIVERY_GRACE_MS);
    await this.spool.close();
    await this.http.close();
    this.logger.info("integration service stopped");
  }
}

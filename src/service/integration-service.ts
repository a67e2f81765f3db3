/**
 * Wires the parts of the integration service together and owns their lifecycle:
 * spool → HTTP app → delivery worker → Dataverse client → token provider.
 *
 * Constructor options beyond the environment configuration are for embedding and tests: the
 * HTTPS agent for outbound calls (default: Node's standard trust store), retry backoff, cache
 * durations. `main.ts` uses the defaults.
 */
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { AppliedLedger } from "./applied-ledger";
import { BasicCredentials } from "./basic-auth";
import type { ServiceConfig } from "./config";
import { ConfigurationOptions } from "./configuration-options";
import { DataverseTransport } from "./dataverse-client";
import { DeliveryWorker } from "./delivery-worker";
import type { BackoffOptions } from "./retry-policy";
import { buildHttpApp } from "./http-app";
import { HttpsClient } from "./https-client";
import { createJsonLogger, errorSummary, type Logger } from "./log";
import { ReadinessCheck } from "./readiness";
import { SessionWriter } from "./session-writer";
import { Spool } from "./spool";
import { MsalTokenProvider } from "./token-provider";
import { createPinBroker, type PinBrokerTuning } from "./pin-broker/pin-broker";
import type { PinRequestRetention } from "./pin-broker/retention";

/** How long a stop waits for requests in hand before closing every connection. */
const REQUEST_DRAIN_MS = 3_000;
/** How long a stop waits for deliveries in hand. */
const DELIVERY_GRACE_MS = 3_000;

export interface IntegrationServiceOptions {
  config: ServiceConfig;
  logger?: Logger;
  /** CA certificates (PEM) trusted for outbound HTTPS (Dataverse, sign-in, Rescue) instead of Node's standard store (tests). */
  trustedCertificates?: readonly string[];
  backoff?: Partial<BackoffOptions>;
  deliveryConcurrency?: number;
  /** How long the configuration row's options are reused. */
  configurationCacheMs?: number;
  /** How long the Dataverse part of /readyz is reused. */
  readinessCacheMs?: number;
  /** Outbound request timeout. */
  requestTimeoutMs?: number;
  /** PIN broker timings and rate limit. */
  pinBroker?: Partial<PinBrokerTuning>;
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

  private constructor(parts: {
    app: FastifyInstance;
    worker: DeliveryWorker;
    spool: Spool;
    logger: Logger;
    http: HttpsClient;
    ledger: AppliedLedger;
    retention: PinRequestRetention;
  }) {
    this.app = parts.app;
    this.worker = parts.worker;
    this.spool = parts.spool;
    this.logger = parts.logger;
    this.http = parts.http;
    this.ledger = parts.ledger;
    this.retention = parts.retention;
  }

  static async create(options: IntegrationServiceOptions): Promise<IntegrationService> {
    const { config } = options;
    const logger = options.logger ?? createJsonLogger({ secrets: [config.clientSecret, config.postPassword] });
    const http = new HttpsClient({
      ...(options.trustedCertificates === undefined ? {} : { trustedCertificates: options.trustedCertificates }),
      ...(options.requestTimeoutMs === undefined ? {} : { timeoutMs: options.requestTimeoutMs }),
    });
    const spool = await Spool.open(config.spoolDir);
    const ledger = new AppliedLedger(spool.appliedDir);
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
    const configurationOptions = new ConfigurationOptions(dataverse, logger, options.configurationCacheMs);
    const writer = new SessionWriter(dataverse, configurationOptions, ledger, logger);
    const worker = new DeliveryWorker({
      spool,
      writer,
      logger,
      ...(options.deliveryConcurrency === undefined ? {} : { concurrency: options.deliveryConcurrency }),
      ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    });
    const pinBroker = createPinBroker({ config, dataverse, http, configuration: configurationOptions, logger, ...(options.pinBroker === undefined ? {} : { tuning: options.pinBroker }) });
    const rescueEndpoint = { configuration: configurationOptions, allowedHosts: config.rescueAllowedHosts };
    const readiness = new ReadinessCheck(spool, dataverse, () => worker.getStats(), rescueEndpoint, options.readinessCacheMs);
    const app = buildHttpApp({
      credentials: new BasicCredentials(config.postUsername, config.postPassword),
      spool,
      onStored: (entry) => worker.enqueue(entry),
      readiness,
      logger,
      pinBroker: pinBroker.routes,
      trustProxy: config.trustProxy,
    });
    return new IntegrationService({ app, worker, spool, logger, http, ledger, retention: pinBroker.retention });
  }

  /** Starts delivering what the spool holds, then listens. */
  async listen(host: string, port: number): Promise<AddressInfo> {
    this.worker.start();
    await this.app.listen({ host, port });
    this.pruneTimer = setInterval(() => {
      this.ledger.prune().catch((error: unknown) => this.logger.warn("could not prune applied-post ledgers", { error: errorSummary(error) }));
    }, 6 * 3600_000);
    this.pruneTimer.unref();
    this.retention.start();
    const address = this.app.server.address() as AddressInfo;
    this.logger.info("integration service listening", { host: address.address, port: address.port });
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

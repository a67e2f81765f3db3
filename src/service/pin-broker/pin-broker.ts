/**
 * The PIN broker's parts, wired: the routes for the HTTP app, and the retention job. The service
 * (integration-service.ts) creates them once with its Dataverse client, HTTPS client and the
 * shared configuration cache.
 */
import { RescueApi } from "../../rescue/api";
import type { ServiceConfig } from "../config";
import type { ConfigurationOptions } from "../configuration-options";
import type { DataverseTransport } from "../dataverse-client";
import type { HttpsClient } from "../https-client";
import type { Logger } from "../log";
import { PinBroker } from "./broker";
import { PinRequestStore } from "./pin-request-store";
import { createRescueTransport } from "./rescue-transport";
import { PinRequestRetention } from "./retention";
import type { PinBrokerRoutesOptions } from "./routes";
import { UserSettingsStore } from "./user-settings-store";

/** Settings meant for tests and embedding; production uses the defaults. */
export interface PinBrokerTuning {
  /** Rescue call timeout (20 s). */
  rescueTimeoutMs: number;
  /** Wait before the one retry after POLLRATEEXCEEDED (1.1 s). */
  pollRetryDelayMs: number;
  /** How long an agent's user settings are reused (10 min). */
  settingsCacheMs: number;
  /** Per-address rate limit of `POST /api/pin`. */
  rateLimit: { max: number; timeWindowMs: number };
}

export interface PinBrokerParts {
  routes: PinBrokerRoutesOptions;
  retention: PinRequestRetention;
}

export function createPinBroker(options: {
  config: Pick<ServiceConfig, "allowedOrigin" | "rescueAllowedHosts" | "pinRequestRetentionDays">;
  dataverse: DataverseTransport;
  http: HttpsClient;
  configuration: ConfigurationOptions;
  logger: Logger;
  tuning?: Partial<PinBrokerTuning>;
}): PinBrokerParts {
  const { config, dataverse, logger, tuning = {} } = options;
  const requests = new PinRequestStore(dataverse);
  const transport = createRescueTransport({
    http: options.http,
    allowedHosts: config.rescueAllowedHosts,
    ...(tuning.rescueTimeoutMs === undefined ? {} : { timeoutMs: tuning.rescueTimeoutMs }),
  });
  const broker = new PinBroker({
    requests,
    settings: new UserSettingsStore(dataverse, tuning.settingsCacheMs === undefined ? {} : { ttlMs: tuning.settingsCacheMs }),
    configuration: options.configuration,
    rescue: new RescueApi(transport),
    allowedHosts: config.rescueAllowedHosts,
    logger,
    ...(tuning.pollRetryDelayMs === undefined ? {} : { pollRetryDelayMs: tuning.pollRetryDelayMs }),
  });
  return {
    routes: { broker, allowedOrigin: config.allowedOrigin, logger, ...(tuning.rateLimit === undefined ? {} : { rateLimit: tuning.rateLimit }) },
    retention: new PinRequestRetention({ store: requests, retentionDays: config.pinRequestRetentionDays, logger }),
  };
}

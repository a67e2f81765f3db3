/**
 * Entry point: `npm run service`.
 *
 * Reads the environment (a clear message and exit code 2 when it is not usable, no stack
 * trace), starts the service, and on SIGTERM/SIGINT stops gracefully within 10 s and exits 0:
 * the listener closes, requests in hand are answered, connections still open after 3 s (slow
 * or idle clients) are closed, deliveries in hand get 3 s more; posts not yet delivered stay in
 * the spool for the next start. A second signal ends the process at once; a stop still not
 * finished after 10 s (a disk that no longer answers) ends it with exit code 1.
 */
import { ConfigError, loadServiceConfig, type ServiceConfig } from "./config";
import { IntegrationService } from "./integration-service";
import { createServiceLog, errorSummary } from "./log";

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  let config: ServiceConfig;
  try {
    config = loadServiceConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee "Integration service" in README.md and .env.example for every variable.\n`);
      process.exit(2);
    }
    throw error;
  }

  const log = createServiceLog({ secrets: [config.clientSecret, config.postPassword] });
  const { logger } = log;
  if (config.postPassword.length < 12) logger.warn("POST_PASSWORD is shorter than 12 characters: use a long random password");

  let service: IntegrationService;
  try {
    service = await IntegrationService.create({ config, log });
    await service.listen(config.host, config.port);
  } catch (error) {
    logger.error({ error: errorSummary(error) }, "integration service could not start");
    process.exit(1);
  }

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, "stopping");
    const force = setTimeout(() => {
      logger.error("graceful stop took too long: exiting");
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    service
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ error: errorSummary(error) }, "error while stopping");
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((error: unknown) => {
  process.stderr.write(`integration service failed: ${errorSummary(error)}\n`);
  process.exit(1);
});

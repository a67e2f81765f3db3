/**
 * Entry point: `npm run service`.
 *
 * Reads the environment (one line per problem and exit code 2 when it is not usable, no stack
 * trace), starts the service, and stops it gracefully with `close-with-grace` (Fastify's own
 * choice): on SIGTERM, SIGINT or another termination signal the listener closes, requests in
 * hand are answered, connections still open after 3 s (slow or idle clients) are closed,
 * deliveries in hand get 3 s more, and the process exits 0; posts not yet delivered stay in the
 * spool for the next start. A second signal ends the process at once (exit code 1); a stop still
 * not finished after 10 s (a disk that no longer answers) ends it with exit code 1; an uncaught
 * error stops the service the same way and exits 1.
 */
import closeWithGrace from "close-with-grace";
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
  } catch (error) {
    logger.error({ error: errorSummary(error) }, "integration service could not start");
    process.exit(1);
  }

  // Installed before listening, so that a signal sent once "integration service listening" is logged always stops gracefully.
  closeWithGrace(
    {
      delay: SHUTDOWN_GRACE_MS,
      logger: false,
      onSecondSignal: (signal) => logger.warn({ signal }, "second signal: exiting now"),
      onSecondError: (error) => logger.error({ error: errorSummary(error) }, "second uncaught error while stopping: exiting now"),
      onTimeout: () => logger.error("graceful stop took too long: exiting"),
    },
    async ({ signal, err }) => {
      if (err !== undefined) logger.error({ error: errorSummary(err) }, "uncaught error: stopping");
      else logger.info({ signal: signal ?? "exit" }, "stopping");
      try {
        await service.close();
      } catch (error) {
        logger.error({ error: errorSummary(error) }, "error while stopping");
        throw error;
      }
    },
  );

  try {
    await service.listen(config.host, config.port);
  } catch (error) {
    logger.error({ error: errorSummary(error) }, "integration service could not start");
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`integration service failed: ${errorSummary(error)}\n`);
  process.exit(1);
});

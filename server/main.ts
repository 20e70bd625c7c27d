// `npm start` / `npm run serve`: start the server, print where it runs, stop cleanly on SIGTERM/SIGINT.
// Any start-up failure is one clear line on stderr, not a stack trace.
import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.ts';
import { StartupError } from './db/migrate.ts';
import { startServer } from './start.ts';

function fail(message: string): never {
  process.stderr.write(`征收一张图 could not start: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel });
  const started = Date.now();
  const server = await startServer(config, logger);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info(`${signal}: shutting down`);
    setTimeout(() => process.exit(1), 10_000).unref();
    await server.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  logger.info(`征收一张图 is running at ${server.url}/ (started in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

main().catch((err: unknown) => {
  if (err instanceof StartupError || err instanceof ConfigError) fail(err.message);
  fail(err instanceof Error ? `${err.message}\n${err.stack}` : String(err));
});

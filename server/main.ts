/**
 * The only place that reads the environment, listens and starts background work.
 */
import { loadConfig, ConfigError } from './src/config';
import { createLogger } from './src/logger';
import { keepSignalsForGracefulStop, startServer } from './src/boot';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const running = await startServer(config, logger);
  const base = config.publicUrl === `http://localhost:${config.port}` ? running.url : config.publicUrl;
  const lines = [
    '',
    `  Parley is running at ${base}`,
    `  Dashboard:   ${base}/dashboard`,
    `  Demo page:   ${base}/demo`,
    `  API docs:    ${base}/api/openapi.json`,
    running.demo
      ? `  Demo login:  ${running.demo.email} / ${running.demo.password}   (kept in ${running.demo.file})`
      : '  Demo login:  none (SEED_DEMO=false, or the database already had users)',
    // A second process (another terminal, PORT=3001) joins this one through the same database.
    ...(running.embeddedDatabaseUrl ? [`  Database:    ${running.embeddedDatabaseUrl}   (embedded; DATABASE_URL for more processes)`] : []),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let signals = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(1); // a second Ctrl-C means "now"
    logger.info({ signal }, 'shutting down');
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  if (running.embeddedDatabaseUrl) keepSignalsForGracefulStop();
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`Parley failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

/*
 * Entry point of berth's data plane process (started detached by launch-plane.ts): `plane-main <stateDir>`.
 * Besides the CLI and the daemon, the only place that exits.
 */
import { mkdirSync } from 'node:fs';
import { jsonLogger } from '../log/logger.js';
import { Plane } from './plane.js';
import { PlanePaths } from './plane-paths.js';

async function main(): Promise<void> {
  const stateDir = process.argv[2];
  if (!stateDir) {
    process.stderr.write('usage: plane-main STATE_DIR (started by the berth daemon)\n');
    process.exit(2);
  }
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const log = jsonLogger(new PlanePaths(stateDir).log);
  const plane = new Plane({ stateDir, log, onShutdown: () => process.exit(0) });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info('signal received, shutting down', { signal });
    void plane.shutdown().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => undefined);
  process.on('uncaughtException', (error) => {
    log.error('data plane crashed', { error: error.stack ?? String(error) });
    process.exit(70);
  });
  try {
    await plane.start();
  } catch (error) {
    log.error('data plane failed to start', { error: error instanceof Error ? error.stack : String(error) });
    await plane.shutdown();
    process.exit(1);
  }
}

await main();

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { jsonLogger } from '../log/logger.js';
import { StateDir } from '../state/state-dir.js';
import { Daemon } from './daemon.js';

/** Entry point of the background daemon (started by `berth up`); the only place besides the CLI that exits. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'state-dir': { type: 'string' }, 'project-dir': { type: 'string' } } });
  const stateRoot = values['state-dir'];
  const projectDir = values['project-dir'];
  if (!stateRoot || !projectDir) {
    process.stderr.write('usage: daemon --state-dir DIR --project-dir DIR (started by `berth up`)\n');
    process.exit(2);
  }
  const stateDir = new StateDir(stateRoot);
  const log = jsonLogger(stateDir.ensure().daemonLog);
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const daemon = new Daemon({ stateDir, projectDir, log, version: pkg.version, onExit: () => process.exit(0) });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('signal received, stopping the stack', { signal });
    void daemon.shutdown().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => undefined);
  process.on('uncaughtException', (error) => {
    log.error('daemon crashed', { error: error.stack ?? String(error) });
    process.exit(70);
  });
  try {
    await daemon.start();
  } catch (error) {
    log.error('daemon failed to start', { error: error instanceof Error ? error.stack : String(error) });
    await daemon.close();
    process.exit(1);
  }
}

await main();

import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { configCommand } from './commands/config.js';
import { deployCommand, rollbackCommand } from './commands/deploy.js';
import { exportCommand } from './commands/export.js';
import { releasesCommand } from './commands/releases.js';
import { downCommand } from './commands/down.js';
import { execCommand } from './commands/exec.js';
import { lifecycleCommand } from './commands/lifecycle.js';
import { logsCommand } from './commands/logs.js';
import { psCommand } from './commands/ps.js';
import { upCommand } from './commands/up.js';
import { exitStatusFor, printError } from './report.js';
import { addProjectFlags } from './global-options.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command('berth')
    .description('Run and deploy the stack described by your docker-compose.yml')
    .version(version(), '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    // Project flags go before the command, as with docker compose: `logs -f` is --follow, not the root's --file.
    .enablePositionalOptions()
    .exitOverride();
  addProjectFlags(program);
  for (const command of [
    upCommand(), downCommand(), psCommand(), logsCommand(),
    lifecycleCommand('start'), lifecycleCommand('stop'), lifecycleCommand('restart'),
    execCommand(), configCommand(), deployCommand(), rollbackCommand(), releasesCommand(), exportCommand(),
  ]) program.addCommand(command);
  for (const command of program.commands) command.exitOverride().showHelpAfterError('(run with --help for usage)');
  return program;
}

/** The CLI entry point: the only place (with the daemon) that exits the process. */
export async function main(argv: readonly string[]): Promise<void> {
  // `berth config | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version output exit 0; usage errors have already been printed by commander.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    printError(error);
    process.exitCode = exitStatusFor(error);
  }
}

import { Command } from 'commander';
import { followLogs } from '../log-printer.js';
import { parseCount, parseSince } from '../parse-flags.js';
import { projectContext, requireDaemon } from '../project-context.js';

interface LogsFlags {
  readonly follow?: boolean;
  readonly tail?: number;
  readonly since?: number;
  readonly timestamps?: boolean;
}

export function logsCommand(): Command {
  const command = new Command('logs')
    .description('Show the output of services, interleaved and prefixed like docker compose logs')
    .argument('[services...]', 'services (default: all)')
    .option('-f, --follow', 'keep printing new lines')
    .option('-n, --tail <lines>', 'only the last N lines of each replica', parseCount)
    .option('--since <time>', 'only lines since a duration ago (10m, 1h30m) or a timestamp (2026-11-25T08:00:00Z)', (v) => parseSince(v))
    .option('-t, --timestamps', 'show the time of each line')
    .addHelpText('after', '\nLog files live in .berth/logs/ (JSON lines, rotated at 10 MiB).');
  return command.action(async (services: string[], flags: LogsFlags, cmd: Command) => {
    const context = projectContext(cmd, services);
    const client = await requireDaemon(context);
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    await followLogs(client, {
      services, follow: Boolean(flags.follow), tail: flags.tail, since: flags.since, timestamps: Boolean(flags.timestamps), signal: stop.signal,
    });
  });
}

import { Command } from 'commander';
import type { UpRequest } from '../../api/protocol.js';
import type { SupervisorEvent, UpResult } from '../../supervisor/supervisor.js';
import { followLogs } from '../log-printer.js';
import { collectScale } from '../parse-flags.js';
import { ProgressPrinter } from '../progress.js';
import { projectContext, startDaemon } from '../project-context.js';
import { BerthError } from '../../errors.js';

interface UpFlags {
  readonly detach?: boolean;
  readonly wait?: boolean;
  readonly scale?: Record<string, number>;
}

export function upCommand(): Command {
  const command = new Command('up')
    .description('Start the stack (or the named services and what they depend on) as supervised local processes')
    .argument('[services...]', 'services to start (default: all)')
    .option('-d, --detach', 'return once started; the stack keeps running in the background')
    .option('--wait', 'wait until every replica is healthy (or running, if it has no healthcheck); fail otherwise')
    .option('--scale <service=N>', 'run N replicas of a service (repeatable; overrides deploy.replicas)', collectScale)
    .addHelpText('after', '\nExamples:\n  berth up -d --wait\n  berth up --scale api=3\n  berth up -d db redis');
  return command.action(async (services: string[], flags: UpFlags, cmd: Command) => {
    const context = projectContext(cmd, services);
    const client = await startDaemon(context);
    const progress = new ProgressPrinter(process.stderr);
    const request: UpRequest = { project: context.serialized, services, scale: flags.scale ?? {}, wait: Boolean(flags.wait) };
    const result = await client.stream<SupervisorEvent, UpResult>('POST', '/v1/up', request, (event) => progress.event(event));
    progress.done();
    if (!result.ok) {
      for (const failure of result.failures) {
        process.stderr.write(`✘ ${failure.service}: ${failure.reason}\n`);
        for (const line of failure.logTail) process.stderr.write(`    ${line}\n`);
      }
      throw new BerthError('STACK_FAILED', `${result.failures.length === 1 ? 'a service' : `${result.failures.length} services`} failed to start`, {
        hint: `see \`berth ps\` and \`berth logs ${result.failures.map((f) => f.service).join(' ')}\``,
      });
    }
    if (flags.detach) {
      process.stderr.write(`stack ${context.stack.name} is up; \`berth ps\` shows it, \`berth down\` stops it\n`);
      return;
    }
    // Attached: show the logs until Ctrl-C, then stop the stack gracefully, as `docker compose up` does.
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    process.once('SIGTERM', () => stop.abort());
    await followLogs(client, { services, follow: true, tail: 0, timestamps: false, signal: stop.signal });
    process.stderr.write('stopping…\n');
    await client.stream<SupervisorEvent, unknown>('POST', '/v1/stop', { services: [] }, (event) => progress.event(event));
    progress.done();
  });
}

import { Command } from 'commander';
import type { ApiClient } from '../../api/client.js';
import type { UpRequest } from '../../api/protocol.js';
import type { SupervisorEvent, UpResult } from '../../supervisor/supervisor.js';
import { followLogs } from '../log-printer.js';
import { collectScale } from '../parse-flags.js';
import { ProgressPrinter } from '../progress.js';
import { projectContext, requireServices, startDaemon } from '../project-context.js';
import { BerthError } from '../../errors.js';

interface UpFlags {
  readonly detach?: boolean;
  readonly wait?: boolean;
  readonly scale?: Record<string, number>;
  readonly httpPort?: string;
  readonly httpsPort?: string;
}

export function upCommand(): Command {
  const command = new Command('up')
    .description('Start the stack (or the named services and what they depend on) as supervised local processes')
    .argument('[services...]', 'services to start (default: all)')
    .option('-d, --detach', 'return once started; the stack keeps running in the background')
    .option('--wait', 'wait until every replica is healthy (or running, if it has no healthcheck); fail otherwise')
    .option('--http-port <port>', 'port of the edge proxy for routed services (default: BERTH_HTTP_PORT, x-berth.proxy.http, 80)')
    .option('--https-port <port>', 'HTTPS port of the edge proxy (default: BERTH_HTTPS_PORT, x-berth.proxy.https, 443)')
    .option('--scale <service=N>', 'run N replicas of a service (repeatable; overrides deploy.replicas)', collectScale)
    .addHelpText('after', '\nExamples:\n  berth up -d --wait\n  berth up --scale api=3\n  berth up -d db redis');
  return command.action(async (services: string[], flags: UpFlags, cmd: Command) => {
    const context = projectContext(cmd, services);
    requireServices(context.stack, Object.keys(flags.scale ?? {}));
    const client = await startDaemon(context);
    const progress = new ProgressPrinter(process.stderr);
    const since = Date.now();
    // Attached, Ctrl-C stops the stack, also while it is still starting (the stop cancels the waiting `up`).
    const attached = flags.detach ? undefined : stopOnInterrupt(client, progress);
    const request: UpRequest = {
      project: context.serialized, services, scale: flags.scale ?? {}, wait: Boolean(flags.wait),
      proxyPorts: { ...(flags.httpPort ? { http: flags.httpPort } : {}), ...(flags.httpsPort ? { https: flags.httpsPort } : {}) },
    };
    let result: UpResult | undefined;
    try {
      result = await client.stream<SupervisorEvent, UpResult>('POST', '/v1/up', request, (event) => progress.event(event));
    } catch (error) {
      if (!attached?.signal.aborted) throw error;
    }
    progress.done();
    if (attached?.signal.aborted) return attached.stopped();
    if (result && !result.ok) throw stackFailed(result);
    if (!attached) {
      process.stderr.write(`stack ${context.stack.name} is up; \`berth ps\` shows it, \`berth down\` stops it\n`);
      return;
    }
    // Attached: show the logs (from the start of this `up`, so nothing printed while starting is lost) until
    // Ctrl-C, then stop the stack gracefully, as `docker compose up` does.
    await followLogs(client, { services, follow: true, since, timestamps: false, signal: attached.signal });
    await attached.stopped();
  });
}

function stackFailed(result: Extract<UpResult, { ok: false }>): BerthError {
  for (const failure of result.failures) {
    process.stderr.write(`✘ ${failure.service}: ${failure.reason}\n`);
    if (failure.hint) process.stderr.write(`  hint: ${failure.hint}\n`);
    for (const line of failure.logTail) process.stderr.write(`    ${line}\n`);
  }
  return new BerthError('STACK_FAILED', `${result.failures.length === 1 ? 'a service' : `${result.failures.length} services`} failed to start`, {
    hint: `see \`berth ps\` and \`berth logs ${result.failures.map((f) => f.service).join(' ')}\``,
  });
}

/**
 * On the first SIGINT/SIGTERM, stops the whole stack through the daemon. `stopped()` waits for that stop and sets
 * exit status 130 (interrupted), as `docker compose up` does after Ctrl-C.
 */
function stopOnInterrupt(client: ApiClient, progress: ProgressPrinter): { signal: AbortSignal; stopped: () => Promise<void> } {
  const interrupted = new AbortController();
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= (async () => {
    process.stderr.write('stopping…\n');
    await client.stream<SupervisorEvent, unknown>('POST', '/v1/stop', { services: [] }, (event) => progress.event(event));
    progress.done();
  })());
  const onSignal = (): void => {
    interrupted.abort();
    stop().catch(() => undefined); // reported by stopped()
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: interrupted.signal,
    stopped: async () => {
      await stop();
      process.exitCode = 130;
    },
  };
}

import { Command, Option } from 'commander';
import type { DeployApiRequest, RollbackApiRequest } from '../../api/protocol.js';
import type { DeployEvent } from '../../deploy/deploy-events.js';
import type { DeployResult } from '../../deploy/deployer.js';
import { BerthError } from '../../errors.js';
import { parseDuration } from '../../spec/duration.js';
import type { SupervisorEvent } from '../../supervisor/supervisor.js';
import { ProgressPrinter } from '../progress.js';
import { projectContext, requireDaemon, requireServices } from '../project-context.js';

interface DeployFlags {
  readonly strategy?: DeployApiRequest['strategy'];
  readonly watch?: string;
}

export function deployCommand(): Command {
  const command = new Command('deploy')
    .description('Deploy a new release of services with no failed requests: start it beside the old one, health-gate, switch, watch, drain')
    .argument('[services...]', 'services to deploy (default: those whose definition changed, and those built from source)')
    .addOption(new Option('--strategy <name>', 'override x-berth.deploy.strategy for this deploy').choices(['blue-green', 'rolling', 'canary', 'recreate']))
    .option('--watch <duration>', 'watch window after the switch (e.g. 60s; 0 = none); default x-berth.deploy.watch or 60s')
    .addHelpText('after', [
      '',
      'Jobs the services wait for (depends_on: condition: service_completed_successfully, e.g. migrations) run first;',
      'a failing job stops the deploy before any traffic moves. A release that fails its health check never gets',
      'traffic; one whose 5xx rate or p95 latency regresses in the watch window is rolled back by itself.',
      '',
      'Examples:\n  berth deploy api\n  berth deploy --strategy rolling worker\n  berth deploy api --watch 2m',
    ].join('\n'));
  return command.action(async (services: string[], flags: DeployFlags, cmd: Command) => {
    const context = projectContext(cmd, services);
    requireServices(context.stack, services);
    const watchMs = flags.watch === undefined ? undefined : durationFlag('--watch', flags.watch);
    const client = await requireDaemon(context);
    const request: DeployApiRequest = {
      project: context.serialized, services, ...(flags.strategy ? { strategy: flags.strategy } : {}), ...(watchMs === undefined ? {} : { watchMs }),
    };
    const progress = new ProgressPrinter(process.stderr);
    const result = await client.stream<SupervisorEvent | DeployEvent, DeployResult>('POST', '/v1/deploy', request, (event) => progress.event(event));
    report(result);
  });
}

export function rollbackCommand(): Command {
  const command = new Command('rollback')
    .description('Go back to an earlier release (default: the one before the newest), with the same safety as a deploy')
    .argument('[release]', 'release id, as `berth releases` lists them (e.g. r12)')
    .option('--watch <duration>', 'watch window after the switch (0 = none)')
    .addHelpText('after', '\nExamples:\n  berth rollback\n  berth rollback r12');
  return command.action(async (release: string | undefined, flags: { watch?: string }, cmd: Command) => {
    const context = projectContext(cmd);
    const watchMs = flags.watch === undefined ? undefined : durationFlag('--watch', flags.watch);
    const client = await requireDaemon(context);
    const request: RollbackApiRequest = { ...(release === undefined ? {} : { release }), ...(watchMs === undefined ? {} : { watchMs }) };
    const progress = new ProgressPrinter(process.stderr);
    report(await client.stream<SupervisorEvent | DeployEvent, DeployResult>('POST', '/v1/rollback', request, (event) => progress.event(event)));
  });
}

function report(result: DeployResult): void {
  if (result.unchanged.length > 0) process.stderr.write(`unchanged, not deployed: ${result.unchanged.join(', ')}\n`);
  if (result.ok) {
    process.stderr.write(`release ${result.release} is live (${result.services.map((s) => `${s.service}: ${s.strategy}`).join(', ')})\n`);
    return;
  }
  const serving = result.rolledBack ? 'the previous release is serving' : 'check `berth ps`: the rollback did not complete';
  throw new BerthError('DEPLOY_FAILED', `release ${result.release} failed: ${result.reason ?? 'unknown reason'}; ${serving}`, {
    hint: 'see `berth logs` of the service and `berth releases`',
  });
}

function durationFlag(flag: string, value: string): number {
  const parsed = parseDuration(value);
  if (!parsed.ok) throw new BerthError('USAGE', `${flag} ${JSON.stringify(value)}: ${parsed.reason}`, { hint: 'use a duration like 30s, 2m or 0' });
  return parsed.ms;
}

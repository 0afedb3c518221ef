import { Command } from 'commander';
import type { SupervisorEvent } from '../../supervisor/supervisor.js';
import { ProgressPrinter } from '../progress.js';
import { projectContext, requireDaemon } from '../project-context.js';

const VERBS = {
  start: 'Start stopped services of the running stack (default: all)',
  stop: 'Stop services (default: all) without removing them; `unless-stopped` services stay stopped',
  restart: 'Restart services (default: all), honouring stop signal and grace period',
} as const;

/** `berth start|stop|restart [services...]`. */
export function lifecycleCommand(verb: keyof typeof VERBS): Command {
  const command = new Command(verb).description(VERBS[verb]).argument('[services...]', 'services (default: all)');
  return command.action(async (services: string[], _flags: unknown, cmd: Command) => {
    const context = projectContext(cmd, services);
    const client = await requireDaemon(context);
    const progress = new ProgressPrinter(process.stderr);
    await client.stream<SupervisorEvent, unknown>('POST', `/v1/${verb}`, { services }, (event) => progress.event(event));
    progress.done();
  });
}

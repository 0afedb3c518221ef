import { rmSync } from 'node:fs';
import { Command } from 'commander';
import type { DownRequest } from '../../api/protocol.js';
import { connectDaemon, waitDaemonGone } from '../../daemon/launch.js';
import { connectPlane } from '../../plane/launch-plane.js';
import { ProcessRuntime } from '../../runtime/process/process-runtime.js';
import type { SupervisorEvent } from '../../supervisor/supervisor.js';
import { ProgressPrinter } from '../progress.js';
import { projectContext } from '../project-context.js';

export function downCommand(): Command {
  const command = new Command('down')
    .description('Stop the stack in reverse dependency order and stop its daemon; keeps volumes unless --volumes')
    .option('-v, --volumes', 'also delete the named volumes (data of postgres, redis, …)')
    .addHelpText('after', '\nIf the daemon died, down still stops every process the stack left running.');
  return command.action(async (flags: { volumes?: boolean }, cmd: Command) => {
    const context = projectContext(cmd);
    const client = await connectDaemon(context.stateDir);
    if (client) {
      const progress = new ProgressPrinter(process.stderr);
      const request: DownRequest = { services: [], removeVolumes: Boolean(flags.volumes) };
      await client.stream<SupervisorEvent, unknown>('POST', '/v1/down', request, (event) => progress.event(event));
      progress.done();
      await waitDaemonGone(context.stateDir);
    } else {
      // No daemon: stop what it left behind — through the data plane if that still runs (it holds the replicas'
      // output), else from the durable state.
      const plane = await connectPlane(context.stateDir);
      let stopped: number;
      if (plane) {
        stopped = await plane.runtime.stopOrphans();
        await plane.shutdown();
      } else {
        const runtime = new ProcessRuntime({ stateDir: context.stateDir.root });
        stopped = await runtime.stopOrphans();
        await runtime.close();
      }
      if (stopped > 0) process.stderr.write(`stopped ${stopped} replica${stopped === 1 ? '' : 's'} left running by a stopped daemon\n`);
      if (flags.volumes) rmSync(context.stateDir.volumes, { recursive: true, force: true });
    }
    process.stderr.write(`stack ${context.stack.name} is down${flags.volumes ? ' and its volumes deleted' : ''}\n`);
  });
}

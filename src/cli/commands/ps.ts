import { Command, Option } from 'commander';
import type { ReplicaView } from '../../supervisor/supervisor.js';
import { connectDaemon } from '../../daemon/launch.js';
import { stackName } from '../../model/ids.js';
import { connectPlane } from '../../plane/launch-plane.js';
import type { StateDir } from '../../state/state-dir.js';
import type { ProxyInfo } from '../../daemon/routes.js';
import { projectContext } from '../project-context.js';
import { renderTable } from '../table.js';

export function psCommand(): Command {
  const command = new Command('ps')
    .description('List the replicas of the stack: status, health, pid, ports and restarts')
    .argument('[services...]', 'services (default: all)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('-q, --quiet', 'print only the replica names');
  return command.action(async (services: string[], flags: { format: 'table' | 'json'; quiet?: boolean }, cmd: Command) => {
    const context = projectContext(cmd, services);
    const client = await connectDaemon(context.stateDir);
    const answer = client ? await client.get<{ replicas: ReplicaView[]; proxy?: ProxyInfo }>('/v1/ps') : undefined;
    const orphaned = client ? undefined : await dataPlaneReplicas(context.stateDir, context.stack.name);
    const all = answer?.replicas ?? orphaned ?? [];
    const replicas = all.filter((r) => services.length === 0 || services.includes(r.service));
    if (flags.format === 'json') return void process.stdout.write(`${JSON.stringify(replicas, null, 2)}\n`);
    if (flags.quiet) return void process.stdout.write(replicas.map((r) => `${r.service}-${r.replica}\n`).join(''));
    if (!client && orphaned === undefined) process.stderr.write(`stack ${context.stack.name} is not running (start it with \`berth up -d\`)\n`);
    if (!client && orphaned !== undefined) {
      process.stderr.write(`the daemon of stack ${context.stack.name} is not running; its replicas and edge proxy keep serving (health and restarts are not watched): \`berth up -d\` takes them over again\n`);
    }
    process.stdout.write(renderTable(['NAME', 'STATUS', 'HEALTH', 'RELEASE', 'PID', 'PORTS', 'RESTARTS'], replicas.map(psRow)));
    if (answer?.proxy) process.stdout.write(`\n${proxyLine(answer.proxy)}\n`);
  });
}

/** With no daemon but a data plane still running: its replicas as the runtime knows them (no health). */
async function dataPlaneReplicas(stateDir: StateDir, stack: string): Promise<ReplicaView[] | undefined> {
  const plane = await connectPlane(stateDir);
  if (!plane) return undefined;
  try {
    return (await plane.runtime.list(stackName(stack))).map((i): ReplicaView => ({
      service: i.service, replica: i.replica, instanceId: i.id,
      status: i.state === 'running' ? 'running' : i.state === 'created' ? 'created' : 'exited',
      endpoints: i.endpoints, restarts: 0, since: i.startedAt ?? 0,
      ...(i.pid === undefined ? {} : { pid: i.pid }),
      ...(i.exit === undefined ? {} : { exit: i.exit }),
      ...(i.spec?.env.BERTH_RELEASE === undefined ? {} : { release: i.spec.env.BERTH_RELEASE }),
    })).sort((a, b) => a.service.localeCompare(b.service) || a.replica - b.replica);
  } finally {
    await plane.close();
  }
}

/** The edge proxy's line under the table: its ports, HTTPS while that listener is up, and where its metrics are. */
export function proxyLine(proxy: ProxyInfo): string {
  const https = proxy.https ? `, https on port ${proxy.https}` : '';
  const admin = proxy.admin ? `, metrics on http://127.0.0.1:${proxy.admin}/metrics` : '';
  const workers = proxy.workers ? ` (${proxy.workers} worker processes)` : '';
  return `edge proxy: http on port ${proxy.http}${https}${admin}${workers}`;
}

/** One line of the table. The exit code is shown only while the replica is down: a running one's is stale. */
export function psRow(r: ReplicaView): string[] {
  const ports = Object.entries(r.endpoints ?? {}).map(([target, e]) => `${e.host}:${e.port}->${target}`).join(', ');
  const down = r.status === 'exited' || r.status === 'stopped' || r.status === 'failed' || r.status === 'restarting';
  const exit = down && r.exit && r.exit.code !== null ? ` (${r.exit.code})` : '';
  return [`${r.service}-${r.replica}`, `${r.status}${exit}${r.detail ? ` — ${r.detail}` : ''}`, r.health ?? '', r.release ?? '', r.pid ? String(r.pid) : '', ports, String(r.restarts)];
}

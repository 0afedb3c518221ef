import { Command, Option } from 'commander';
import type { ReplicaView } from '../../supervisor/supervisor.js';
import { connectDaemon } from '../../daemon/launch.js';
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
    const all = answer?.replicas ?? [];
    const replicas = all.filter((r) => services.length === 0 || services.includes(r.service));
    if (flags.format === 'json') return void process.stdout.write(`${JSON.stringify(replicas, null, 2)}\n`);
    if (flags.quiet) return void process.stdout.write(replicas.map((r) => `${r.service}-${r.replica}\n`).join(''));
    if (!client) process.stderr.write(`stack ${context.stack.name} is not running (start it with \`berth up -d\`)\n`);
    process.stdout.write(renderTable(['NAME', 'STATUS', 'HEALTH', 'RELEASE', 'PID', 'PORTS', 'RESTARTS'], replicas.map(psRow)));
    if (answer?.proxy) process.stdout.write(`\n${proxyLine(answer.proxy)}\n`);
  });
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

import { Command, Option } from 'commander';
import type { Release } from '../../deploy/release.js';
import { projectContext, requireDaemon } from '../project-context.js';
import { renderTable } from '../table.js';

/** A release as the API lists it: without the full service definitions. */
type ListedRelease = Omit<Release, 'services'> & { readonly services: Readonly<Record<string, Omit<Release['services'][string], 'spec'>>> };

export function releasesCommand(): Command {
  const command = new Command('releases')
    .description('List the releases of the stack, newest first: what each deployed, by whom, when, and how it ended')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'));
  return command.action(async (flags: { format: 'table' | 'json' }, cmd: Command) => {
    const context = projectContext(cmd);
    const client = await requireDaemon(context);
    const { releases } = await client.get<{ releases: ListedRelease[] }>('/v1/releases');
    if (flags.format === 'json') return void process.stdout.write(`${JSON.stringify(releases, null, 2)}\n`);
    process.stdout.write(renderTable(['RELEASE', 'KIND', 'STATUS', 'SERVICES', 'BY', 'CREATED', 'REASON'], releases.map(releaseRow)));
  });
}

export function releaseRow(r: ListedRelease): string[] {
  const services = Object.entries(r.services).map(([name, s]) => `${name} (env ${s.envDigest.slice(0, 7)}, config ${s.configDigest.slice(0, 7)})`).join(', ');
  const kind = r.rollbackOf === undefined ? r.kind : `${r.kind} to ${r.rollbackOf}`;
  return [r.id, kind, r.status, services, r.by, new Date(r.createdAt).toISOString().replace('T', ' ').slice(0, 19), r.reason ?? ''];
}

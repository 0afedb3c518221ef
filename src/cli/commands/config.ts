import { Command, Option } from 'commander';
import { stringify } from 'yaml';
import { BerthError } from '../../errors.js';
import { loadStack, loadUninterpolatedDocument } from '../../spec/load.js';
import { toComposeDocument } from '../../spec/serialize.js';
import { projectOptionsFrom } from '../global-options.js';
import { printWarnings } from '../report.js';

interface ConfigFlags {
  readonly format: 'yaml' | 'json';
  readonly services?: boolean;
  readonly volumes?: boolean;
  readonly profiles?: boolean;
  readonly quiet?: boolean;
  readonly interpolate: boolean;
}

export function configCommand(): Command {
  const command = new Command('config')
    .description('Validate the compose files and print the normalized, interpolated model (like docker compose config)')
    .argument('[services...]', 'print only these services (and enable their profiles)')
    .addOption(new Option('--format <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .option('--services', 'print the service names, one per line')
    .option('--volumes', 'print the volume names, one per line')
    .option('--profiles', 'print the profile names, one per line')
    .option('-q, --quiet', 'only validate; print nothing, exit status says whether the files are valid')
    .option('--no-interpolate', 'do not replace ${VAR} expressions')
    .addHelpText('after', '\nExamples:\n  berth config\n  berth -f docker-compose.yml -f docker-compose.prod.yml config --format json\n  berth config --services');
  return command.action((services: string[], flags: ConfigFlags, cmd: Command) => {
    if (!flags.interpolate) return printUninterpolated(cmd, services, flags);
    const { stack, warnings } = loadStack(projectOptionsFrom(cmd, { services }));
    printWarnings(warnings);
    if (flags.quiet) return;
    if (flags.services) return printLines(Object.keys(stack.services).sort());
    if (flags.volumes) return printLines(Object.keys(stack.volumes).sort());
    if (flags.profiles) return printLines([...stack.profiles]);
    printDocument(onlyServices(toComposeDocument(stack), services), flags.format);
  });
}

function printUninterpolated(cmd: Command, services: string[], flags: ConfigFlags): void {
  const { document, warnings } = loadUninterpolatedDocument(projectOptionsFrom(cmd, { services, interpolate: false }));
  printWarnings(warnings);
  if (flags.quiet) return;
  const all = (document.services ?? {}) as Record<string, unknown>;
  if (flags.services) return printLines(Object.keys(all).sort());
  if (flags.volumes) return printLines(Object.keys((document.volumes ?? {}) as Record<string, unknown>).sort());
  printDocument(onlyServices(document, services), flags.format);
}

function onlyServices(document: Record<string, unknown>, services: readonly string[]): Record<string, unknown> {
  if (services.length === 0) return document;
  const all = (document.services ?? {}) as Record<string, unknown>;
  for (const name of services) {
    if (!Object.hasOwn(all, name)) throw new BerthError('USAGE', `no such service: \`${name}\``, { hint: `services are: ${Object.keys(all).join(', ')}` });
  }
  return { ...document, services: Object.fromEntries(services.map((name) => [name, all[name]])) };
}

function printDocument(document: Record<string, unknown>, format: 'yaml' | 'json'): void {
  process.stdout.write(format === 'json' ? `${JSON.stringify(document, null, 2)}\n` : stringify(document, { lineWidth: 0, aliasDuplicateObjects: false }));
}

function printLines(lines: readonly string[]): void {
  if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
}

import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { BerthError } from '../../errors.js';
import { exportKubernetes } from '../../export/kubernetes/export-kubernetes.js';
import { renderFiles, renderStream } from '../../export/kubernetes/render-manifests.js';
import { kubeName } from '../../export/kubernetes/kube-name.js';
import { loadStack } from '../../spec/load.js';
import { projectOptionsFrom } from '../global-options.js';
import { printWarnings } from '../report.js';

interface KubernetesFlags {
  readonly output?: string;
  readonly namespace?: string;
}

/** `berth export <target>`: manifests for other platforms, built from the same loaded stack. */
export function exportCommand(): Command {
  const command = new Command('export').description('Export the stack as manifests for another platform');
  command.addCommand(kubernetesCommand());
  return command;
}

function kubernetesCommand(): Command {
  return new Command('kubernetes')
    .alias('k8s')
    .description('Print Kubernetes manifests (Deployments, Jobs, Services, Ingresses, PVCs, Secrets with placeholders)')
    .argument('[services...]', 'export only these services')
    .option('-o, --output <dir>', 'write one file per object into this folder instead of stdout')
    .option('-n, --namespace <namespace>', 'set metadata.namespace on every object')
    .addHelpText('after', [
      '',
      'Warnings on stderr list what could not be carried over and the Secret values to set.',
      '',
      'Examples:',
      '  berth export kubernetes > k8s.yaml',
      '  berth export kubernetes web db -o k8s/ --namespace shop',
    ].join('\n'))
    .action((services: string[], flags: KubernetesFlags, cmd: Command) => {
      if (flags.namespace !== undefined && kubeName(flags.namespace) !== flags.namespace) {
        throw new BerthError('USAGE', `invalid namespace \`${flags.namespace}\``, { hint: 'use lowercase letters, digits and -' });
      }
      const { stack, warnings } = loadStack(projectOptionsFrom(cmd, { services }));
      const result = exportKubernetes(stack, { services, namespace: flags.namespace });
      printWarnings([...warnings, ...result.warnings]);
      if (flags.output === undefined) {
        process.stdout.write(renderStream(result.objects));
        return;
      }
      writeFolder(flags.output, renderFiles(result.objects));
    });
}

function writeFolder(dir: string, files: readonly { file: string; text: string }[]): void {
  mkdirSync(dir, { recursive: true });
  const written = new Set(files.map((f) => f.file));
  const stale = readdirSync(dir).filter((name) => name.endsWith('.yaml') && !written.has(name));
  for (const { file, text } of files) writeFileSync(path.join(dir, file), text);
  console.error(`wrote ${files.length} manifests to ${dir}`);
  if (stale.length > 0) console.error(`warning: ${dir} also holds ${stale.join(', ')}, which this export did not write: remove them before kubectl apply -f ${dir}`);
}

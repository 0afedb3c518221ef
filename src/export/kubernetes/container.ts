import path from 'node:path';
import type { Service } from '../../model/stack.js';
import { secretMounts } from './compose-secrets.js';
import type { ExportContext } from './export-context.js';
import { kubeName } from './kube-name.js';
import { containerPorts } from './ports.js';
import { probesFor } from './probes.js';
import { resourcesFor } from './resources.js';
import { envEntries, envSecretName, unsetVariables } from './secret-env.js';
import { podVolumes } from './volumes.js';

/** Annotation on a workload whose image berth made up from `build:`: what to build and push. */
export const BUILD_ANNOTATION = 'berth.dev/build';

/** The main container of a service's pod, with the pod-level parts it needs. */
export interface ContainerParts {
  readonly container: Record<string, unknown>;
  readonly volumes: Record<string, unknown>[];
  /** PersistentVolumeClaims the pod mounts. */
  readonly claims: string[];
  readonly annotations: Record<string, string>;
}

/**
 * The container for a service: image (a `build:`-only service gets `<project>-<service>:latest` and an annotation
 * saying to build and push it), entrypoint → command and command → args (Kubernetes, like compose, drops the
 * image's CMD when only the entrypoint is replaced), env (secret-looking values via secretKeyRef, never inline),
 * ports, resources, probes and volume mounts.
 */
export function containerFor(ctx: ExportContext, service: Service, options: { readonly probes: boolean }): ContainerParts {
  const { image, annotations } = imageFor(ctx, service);
  const files = podVolumes(ctx, service);
  const secrets = secretMounts(service);
  const mounts = [...files.mounts, ...secrets.mounts];
  const env = envFor(ctx, service);
  const ports = containerPorts(service).map((p) => ({ containerPort: p.port, name: p.name, protocol: p.protocol.toUpperCase() }));
  const resources = resourcesFor(service);
  const probes = options.probes ? probesFor(service) : { probes: {} };
  if ('problem' in probes && probes.problem !== undefined) ctx.warn(`services.${service.name}.x-berth.health`, probes.problem);
  const container: Record<string, unknown> = {
    name: kubeName(service.name),
    image,
    ...(service.entrypoint === undefined ? {} : { command: service.entrypoint.map(literal) }),
    ...(service.command === undefined ? {} : { args: service.command.map(literal) }),
    ...(service.workingDir === undefined ? {} : { workingDir: service.workingDir }),
    ...(env.length === 0 ? {} : { env }),
    ...(ports.length === 0 ? {} : { ports }),
    ...(resources === undefined ? {} : { resources }),
    ...probes.probes,
    ...(mounts.length === 0 ? {} : { volumeMounts: mounts }),
  };
  return { container, volumes: [...files.volumes, ...secrets.volumes], claims: files.claims, annotations };
}

function imageFor(ctx: ExportContext, service: Service): { image: string; annotations: Record<string, string> } {
  if (service.image !== undefined) return { image: service.image, annotations: {} };
  const image = `${kubeName(ctx.stack.name)}-${kubeName(service.name)}:latest`;
  if (service.build === undefined) {
    ctx.warn(`services.${service.name}`, `has no image and no build: exported with image ${image}, which you must provide`);
    return { image, annotations: {} };
  }
  const context = path.isAbsolute(service.build.context) ? path.relative(ctx.stack.projectDir, service.build.context) || '.' : service.build.context;
  const note = `build ${context} (${service.build.dockerfile || 'inline Dockerfile'}) and push it as ${image}, or set image:`;
  ctx.warn(`services.${service.name}.build`, `has only build: ${note}`);
  return { image, annotations: { [BUILD_ANNOTATION]: note } };
}

function envFor(ctx: ExportContext, service: Service): Record<string, unknown>[] {
  const unset = unsetVariables(ctx.stack, service);
  if (unset.length > 0) ctx.warn(`services.${service.name}.environment`, `declared without a value (compose passes the shell's): left out: ${unset.join(', ')}`);
  const secretName = envSecretName(ctx.stack);
  return envEntries(ctx.stack, service).map((entry) => entry.kind === 'value'
    ? { name: entry.name, value: literal(entry.value) }
    : { name: entry.name, valueFrom: { secretKeyRef: { name: secretName, key: entry.secretKey } } });
}

/** Kubernetes expands `$(VAR)` in command, args and env values; compose does not, so `$(` is escaped as `$$(`. */
export function literal(text: string): string {
  return text.replaceAll('$(', '$$$$(');
}

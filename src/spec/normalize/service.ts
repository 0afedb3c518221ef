import type { BerthServiceOptions } from '../../model/berth-options.js';
import type { Service } from '../../model/stack.js';
import { parseBerthServiceOptions } from '../berth-options.js';
import { readDuration } from '../duration.js';
import type { ModelPath } from '../model-path.js';
import { readBuild } from './build.js';
import { readCommand } from './command.js';
import { readDependencies } from './dependencies.js';
import { readDeploy } from './deploy.js';
import { readServiceEnvironment } from './environment.js';
import { readFileReferences } from './file-references.js';
import { readHealthcheck } from './healthcheck.js';
import { resolveHostPath } from './paths.js';
import { readPorts } from './ports.js';
import { extensionKeys, otherKeys, readInteger, readString, readStringList, readStringMap, type Dict } from './read.js';
import { readRestart } from './restart.js';
import type { NormalizeScope } from './scope.js';
import { readServiceNetworks } from './service-networks.js';
import { readVolumeMounts } from './volume-mounts.js';

/** Keys the Service type models; everything else but `x-*` goes to `other`, verbatim. `extends` is resolved by now. */
const SERVICE_KEYS = new Set([
  'image', 'build', 'command', 'entrypoint', 'environment', 'env_file', 'ports', 'expose', 'volumes', 'depends_on',
  'healthcheck', 'restart', 'deploy', 'scale', 'networks', 'labels', 'profiles', 'working_dir', 'user',
  'container_name', 'hostname', 'stop_signal', 'stop_grace_period', 'secrets', 'configs', 'extends',
]);

export const STOP_DEFAULTS = { signal: 'SIGTERM', gracePeriodMs: 10_000 } as const;

/** One merged, canonical service → a Service with every default filled in. */
export function readService(name: string, service: Dict, scope: NormalizeScope): Service {
  const { ctx } = scope;
  const path: ModelPath = ['services', name];
  const at = (key: string): ModelPath => [...path, key];
  const optional = {
    image: readString(service.image, ctx, at('image')),
    build: readBuild(service.build, scope, at('build')),
    command: readCommand(service.command, ctx, at('command')),
    entrypoint: readCommand(service.entrypoint, ctx, at('entrypoint')),
    healthcheck: readHealthcheck(service.healthcheck, ctx, at('healthcheck')),
    deploy: readDeploy(service.deploy, ctx, at('deploy')),
    workingDir: readString(service.working_dir, ctx, at('working_dir')),
    user: readString(service.user, ctx, at('user')),
    containerName: readString(service.container_name, ctx, at('container_name')),
    hostname: readString(service.hostname, ctx, at('hostname')),
  };
  const stopGracePeriod = service.stop_grace_period;
  return {
    name,
    ...withoutUndefined(optional),
    environment: readServiceEnvironment(service, scope, path),
    ports: readPorts(service.ports, ctx, at('ports')),
    expose: readStringList(service.expose, ctx, at('expose')),
    volumes: readVolumeMounts(service.volumes, ctx, at('volumes'), scope.base),
    dependsOn: readDependencies(service, ctx, path),
    restart: readRestart(service.restart, ctx, at('restart')),
    replicas: readReplicas(service, scope, path, optional.deploy?.replicas),
    networks: readServiceNetworks(service, ctx, at('networks')),
    labels: readStringMap(service.labels, ctx, at('labels'), ''),
    profiles: readStringList(service.profiles, ctx, at('profiles')),
    stopSignal: readString(service.stop_signal, ctx, at('stop_signal')) ?? STOP_DEFAULTS.signal,
    stopGracePeriodMs: stopGracePeriod === undefined || stopGracePeriod === null
      ? STOP_DEFAULTS.gracePeriodMs
      : readDuration(stopGracePeriod, ctx, at('stop_grace_period')) ?? STOP_DEFAULTS.gracePeriodMs,
    secrets: readFileReferences(service.secrets, ctx, at('secrets')),
    configs: readFileReferences(service.configs, ctx, at('configs')),
    extensions: extensionKeys(service),
    other: otherKeys(service, SERVICE_KEYS, false),
    berth: readBerth(service['x-berth'], scope, at('x-berth')),
  };
}

/** `deploy.replicas`, else `scale`, else 1; both set and different is an error, as in compose. */
function readReplicas(service: Dict, scope: NormalizeScope, path: ModelPath, replicas: number | undefined): number {
  const scale = readInteger(service.scale, scope.ctx, [...path, 'scale']);
  if (replicas !== undefined && scale !== undefined && replicas !== scale) {
    scope.ctx.error('SPEC_TYPE', [...path, 'scale'], `scale: ${scale} and deploy.replicas: ${replicas} disagree`, {
      hint: 'keep only deploy.replicas (scale is the older spelling of the same setting)',
    });
  }
  return replicas ?? scale ?? 1;
}

/** The service's `x-berth`, with a relative `process.cwd` made absolute. */
function readBerth(value: unknown, scope: NormalizeScope, path: ModelPath): BerthServiceOptions {
  const options = parseBerthServiceOptions(value, scope.ctx, path);
  const cwd = options.process?.cwd;
  if (cwd === undefined) return options;
  return { ...options, process: { ...options.process, cwd: resolveHostPath(cwd, scope.base) } };
}

function withoutUndefined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

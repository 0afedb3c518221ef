import { serializeDeploy as serializeBerthDeploy } from './berth-deploy.js';
import type { BerthHealth, BerthServiceOptions } from '../model/berth-options.js';
import type {
  BuildSpec, DeploySpec, FileReference, Healthcheck, PortMapping, Resources, RestartPolicy, Service, ServiceNetwork,
  UpdateConfig, VolumeMount,
} from '../model/stack.js';
import { formatDuration } from './duration.js';

type Dict = Record<string, unknown>;

/**
 * One Service as `docker compose config` prints it: compose's snake_case keys in sorted order (mappings such as
 * `environment` and `labels` sorted too, as Go's YAML encoder sorts map keys), long forms only,
 * durations as text (`10s`), sizes as byte counts, `x-*` keys (and `x-berth`) last. Values equal to a default compose
 * would not print (restart `no`, stop signal SIGTERM, grace period 10s, one replica) are left out.
 */
export function serializeService(service: Service): Dict {
  const compose: Dict = {
    ...service.other,
    image: service.image,
    build: service.build && serializeBuild(service.build),
    command: service.command && [...service.command],
    entrypoint: service.entrypoint && [...service.entrypoint],
    environment: nonEmpty(sortKeys({ ...service.environment })),
    ports: nonEmptyList(service.ports.map(serializePort)),
    expose: nonEmptyList([...service.expose]),
    volumes: nonEmptyList(service.volumes.map(serializeVolume)),
    depends_on: nonEmpty(sortKeys(Object.fromEntries(Object.entries(service.dependsOn).map(([name, d]) => [name, compact({
      condition: d.condition, restart: d.restart || undefined, required: d.required,
    })])))),
    healthcheck: service.healthcheck && serializeHealthcheck(service.healthcheck),
    restart: service.restart.kind === 'no' ? undefined : restartText(service.restart),
    deploy: service.deploy && serializeDeploy(service.deploy),
    scale: service.replicas === (service.deploy?.replicas ?? 1) ? undefined : service.replicas,
    networks: nonEmpty(sortKeys(Object.fromEntries(Object.entries(service.networks).map(([name, n]) => [name, serializeServiceNetwork(n)])))),
    labels: nonEmpty(sortKeys({ ...service.labels })),
    profiles: nonEmptyList([...service.profiles]),
    working_dir: service.workingDir,
    user: service.user,
    container_name: service.containerName,
    hostname: service.hostname,
    stop_signal: service.stopSignal === 'SIGTERM' ? undefined : service.stopSignal,
    stop_grace_period: service.stopGracePeriodMs === 10_000 ? undefined : formatDuration(service.stopGracePeriodMs),
    secrets: nonEmptyList(service.secrets.map(serializeFileReference)),
    configs: nonEmptyList(service.configs.map(serializeFileReference)),
  };
  return { ...sortKeys(compact(compose)), ...sortKeys({ ...service.extensions }), ...berthDocument(service.berth) };
}

function serializeBuild(build: BuildSpec): Dict {
  return compact({
    context: build.context,
    dockerfile: build.dockerfile === '' ? undefined : build.dockerfile,
    args: nonEmpty(sortKeys({ ...build.args })),
    labels: nonEmpty(sortKeys({ ...build.labels })),
    target: build.target,
    ...build.other,
  });
}

function serializePort(port: PortMapping): Dict {
  return compact({
    name: port.name,
    mode: port.mode,
    host_ip: port.hostIp,
    target: port.target,
    published: port.published,
    protocol: port.protocol,
    app_protocol: port.appProtocol,
  });
}

function serializeVolume(mount: VolumeMount): Dict {
  const other: Dict = mount.other ?? {};
  const nested = (key: string, value: Dict | undefined): Dict | undefined =>
    value === undefined && other[key] === undefined ? undefined : { ...value, ...(other[key] as Dict | undefined) };
  const bind = mount.bind && (mount.bind.createHostPath || mount.bind.propagation || mount.bind.selinux)
    ? compact({ selinux: mount.bind.selinux, propagation: mount.bind.propagation, create_host_path: mount.bind.createHostPath })
    : undefined;
  const volume = mount.volume && compact({ nocopy: mount.volume.nocopy || undefined, subpath: mount.volume.subpath });
  const tmpfs = mount.tmpfs && compact({ size: mount.tmpfs.size === undefined ? undefined : String(mount.tmpfs.size), mode: mount.tmpfs.mode });
  const typed = compact({
    type: mount.type,
    source: mount.source,
    target: mount.target,
    read_only: mount.readOnly || undefined,
    consistency: mount.consistency,
    bind: nested('bind', bind),
    volume: nested('volume', volume),
    tmpfs: nested('tmpfs', tmpfs),
  });
  return { ...typed, ...Object.fromEntries(Object.entries(other).filter(([key]) => !Object.hasOwn(typed, key))) };
}

function serializeHealthcheck(check: Healthcheck): Dict {
  return {
    test: check.test.kind === 'exec' ? ['CMD', ...check.test.argv] : ['CMD-SHELL', check.test.command],
    timeout: formatDuration(check.timeoutMs),
    interval: formatDuration(check.intervalMs),
    retries: check.retries,
    start_period: formatDuration(check.startPeriodMs),
    start_interval: formatDuration(check.startIntervalMs),
  };
}

function restartText(restart: RestartPolicy): string {
  if (restart.kind === 'on-failure' && restart.maxRetries !== undefined) return `on-failure:${restart.maxRetries}`;
  return restart.kind;
}

function serializeDeploy(deploy: DeploySpec): Dict {
  const limits = serializeResources(deploy.limits);
  const reservations = serializeResources(deploy.reservations);
  const placement = deploy.placement && compact({
    constraints: nonEmptyList([...deploy.placement.constraints]),
    preferences: nonEmptyList(deploy.placement.preferences.map((spread) => ({ spread }))),
    max_replicas_per_node: deploy.placement.maxReplicasPerNode,
  });
  const policy = deploy.restartPolicy;
  return compact({
    mode: deploy.mode,
    replicas: deploy.replicas,
    labels: nonEmpty(sortKeys({ ...deploy.labels })),
    update_config: deploy.updateConfig && serializeUpdateConfig(deploy.updateConfig),
    rollback_config: deploy.rollbackConfig && serializeUpdateConfig(deploy.rollbackConfig),
    resources: nonEmpty(compact({ limits, reservations })),
    restart_policy: policy && compact({
      condition: policy.condition,
      delay: policy.delayMs === undefined ? undefined : formatDuration(policy.delayMs),
      max_attempts: policy.maxAttempts,
      window: policy.windowMs === undefined ? undefined : formatDuration(policy.windowMs),
    }),
    placement,
    endpoint_mode: deploy.endpointMode,
    ...deploy.other,
  });
}

function serializeResources(resources: Resources): Dict | undefined {
  return nonEmpty(compact({
    cpus: resources.cpus,
    memory: resources.memoryBytes === undefined ? undefined : String(resources.memoryBytes),
    pids: resources.pids,
    ...resources.other,
  }));
}

function serializeUpdateConfig(config: UpdateConfig): Dict {
  return {
    parallelism: config.parallelism,
    delay: formatDuration(config.delayMs),
    failure_action: config.failureAction,
    monitor: formatDuration(config.monitorMs),
    max_failure_ratio: config.maxFailureRatio,
    order: config.order,
  };
}

/** `null` for a plain attachment, as compose prints `default: null`. */
function serializeServiceNetwork(network: ServiceNetwork): Dict | null {
  const out = compact({
    aliases: nonEmptyList([...network.aliases]),
    ipv4_address: network.ipv4Address,
    ipv6_address: network.ipv6Address,
    ...network.other,
  });
  return Object.keys(out).length === 0 ? null : out;
}

function serializeFileReference(ref: FileReference): Dict {
  return compact({ source: ref.source, target: ref.target, uid: ref.uid, gid: ref.gid, mode: ref.mode });
}

/** `x-berth` in the shape its parser reads (src/spec/berth-options.ts); absent when every option is a default. */
function berthDocument(berth: BerthServiceOptions): Dict {
  const options = compact({
    process: berth.process && compact({ command: berth.process.command && [...berth.process.command], cwd: berth.process.cwd }),
    routes: nonEmptyList(berth.routes.map((route) => compact({
      host: [...route.hosts],
      path: [...route.paths],
      port: route.port,
      strip_prefix: route.stripPrefix || undefined,
    }))),
    health: berth.health && serializeBerthHealth(berth.health),
    deploy: berth.deploy && serializeBerthDeploy(berth.deploy),
    ...berth.other,
  });
  return Object.keys(options).length === 0 ? {} : { 'x-berth': options };
}

/** `x-berth.health` with every timing written out (the defaults were filled in when it was read). */
function serializeBerthHealth(health: BerthHealth): Dict {
  const { check } = health;
  return {
    ...(check.kind === 'http'
      ? { http: compact({ path: check.path, port: check.port, status: check.status }) }
      : { tcp: compact({ port: check.port }) }),
    interval: formatDuration(health.intervalMs),
    timeout: formatDuration(health.timeoutMs),
    retries: health.retries,
    start_period: formatDuration(health.startPeriodMs),
    start_interval: formatDuration(health.startIntervalMs),
  };
}

/** Drops keys whose value is `undefined`. */
export function compact(dict: Dict): Dict {
  return Object.fromEntries(Object.entries(dict).filter(([, value]) => value !== undefined));
}

export function sortKeys(dict: Dict): Dict {
  return Object.fromEntries(Object.entries(dict).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function nonEmpty(dict: Dict): Dict | undefined {
  return Object.keys(dict).length === 0 ? undefined : dict;
}

function nonEmptyList<T>(list: T[]): T[] | undefined {
  return list.length === 0 ? undefined : list;
}

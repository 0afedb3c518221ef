import type Docker from 'dockerode';
import { containerPorts } from '../process/addresses/container-ports.js';
import type { InstanceSpec } from '../runtime.js';

/** The labels berth puts on its containers: compose's own (so `docker compose ls/ps` sees them) and berth's. */
export const LABELS = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  number: 'com.docker.compose.container-number',
  stack: 'dev.berth.stack',
  /** The whole InstanceSpec as JSON, so a restarted berth can supervise the container again. */
  spec: 'dev.berth.spec',
} as const;

/** Where declared container ports are published: loopback only, berth's proxy is the way in from outside. */
export const PUBLISH_HOST_IP = '127.0.0.1';

/** Compose-style container name `<stack>-<service>-<replica>`, with characters Docker refuses replaced by `_`. */
export function containerName(spec: InstanceSpec): string {
  return `${spec.stack}-${spec.service.name}-${spec.replica}`.replace(/[^a-zA-Z0-9_.-]/g, '_');
}

/** The image a replica runs: `image:`, else compose's name for a built image (`<stack>-<service>`). */
export function imageOf(spec: InstanceSpec): string {
  return spec.service.image ?? `${spec.stack}-${spec.service.name}`.toLowerCase();
}

/**
 * The Engine create request for one replica. Pure. Every declared container port (ports targets and expose) is
 * published on 127.0.0.1 with an ephemeral host port; restarts are left to berth's supervisor (policy `no`); an
 * init process (docker-init) runs as PID 1 unless the service says `init: false`, so that the stop signal reaches
 * the program even when it installs no handler, and an exit by signal is reported as such.
 */
export function containerConfig(spec: InstanceSpec): Docker.ContainerCreateOptions {
  const { service } = spec;
  const ports = containerPorts(service).map((port) => `${port}/tcp`);
  const env = { ...service.environment, ...spec.env };
  return {
    name: containerName(spec),
    Image: imageOf(spec),
    ...(service.command ? { Cmd: [...service.command] } : {}),
    ...(service.entrypoint ? { Entrypoint: [...service.entrypoint] } : {}),
    Env: Object.entries(env).flatMap(([key, value]) => (value === null ? [] : [`${key}=${value}`])),
    ...(service.workingDir ? { WorkingDir: service.workingDir } : {}),
    ...(service.user ? { User: service.user } : {}),
    ...(service.hostname ? { Hostname: service.hostname } : {}),
    Labels: {
      ...service.labels,
      [LABELS.project]: spec.stack,
      [LABELS.service]: service.name,
      [LABELS.number]: String(spec.replica),
      [LABELS.stack]: spec.stack,
      [LABELS.spec]: JSON.stringify(spec),
    },
    ExposedPorts: Object.fromEntries(ports.map((port) => [port, {}])),
    StopSignal: service.stopSignal,
    StopTimeout: Math.ceil(service.stopGracePeriodMs / 1000),
    HostConfig: {
      PortBindings: Object.fromEntries(ports.map((port) => [port, [{ HostIp: PUBLISH_HOST_IP, HostPort: '' }]])),
      RestartPolicy: { Name: 'no' },
      Init: service.other['init'] !== false,
    },
  };
}

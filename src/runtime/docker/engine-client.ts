import Docker from 'dockerode';

/** The Engine API version berth speaks: Engine 20.10 (API 1.41) and newer accept it. */
export const ENGINE_API_VERSION = 'v1.41';

/**
 * A Docker Engine API client pinned to API 1.41. Honours DOCKER_HOST (unix://, tcp://, npipe://) like the docker
 * CLI, else the default socket. Shared by the docker and (later) swarm runtimes; it does not connect until used.
 */
export function engineClient(): Docker {
  return new Docker({ version: ENGINE_API_VERSION });
}

/** Where a client talks to, for error messages: its socket or host, else DOCKER_HOST, else the default socket. */
export function engineAddress(docker?: Docker): string {
  const modem = docker?.modem as { socketPath?: unknown; host?: unknown; port?: unknown; protocol?: unknown } | undefined;
  if (typeof modem?.socketPath === 'string') return `unix://${modem.socketPath}`;
  if (typeof modem?.host === 'string') return `${String(modem.protocol ?? 'http')}://${modem.host}:${String(modem.port ?? '')}`;
  return process.env['DOCKER_HOST'] || 'unix:///var/run/docker.sock';
}

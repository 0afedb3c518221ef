import type { BerthStackOptions } from '../model/berth-options.js';
import type { ConfigDefinition, Network, SecretDefinition, Stack, Volume } from '../model/stack.js';
import { serializeTls } from './berth-tls.js';
import { compact, nonEmpty, serializeService, sortKeys } from './serialize-service.js';

type Dict = Record<string, unknown>;

/**
 * Prints a Stack as the plain compose document `docker compose config` (v2) prints: `name`, `services` sorted by
 * name, then `networks`, `volumes`, `secrets`, `configs` and the top-level `x-*` keys (with `x-berth` from
 * `stack.berth`), every key in a fixed order, long forms only. Feeding the result back through the loader's
 * interpolate, canonical and normalize stages gives an equal Stack (a literal `$` is printed `$$`, as compose
 * prints it, and interpolation turns it back). It does not print the project folder or the file list.
 */
export function toComposeDocument(stack: Stack): Record<string, unknown> {
  return escapeDollars(compact({
    name: stack.name,
    services: mapSorted(stack.services, serializeService),
    networks: nonEmpty(mapSorted(stack.networks, serializeNetwork)),
    volumes: nonEmpty(mapSorted(stack.volumes, serializeVolume)),
    secrets: nonEmpty(mapSorted(stack.secrets, serializeSecret)),
    configs: nonEmpty(mapSorted(stack.configs, serializeConfig)),
    ...sortKeys({ ...stack.extensions }),
    ...berthDocument(stack.berth),
  })) as Record<string, unknown>;
}

/**
 * `$` → `$$` in every string value, as `docker compose config` does, so that the printed document means the same
 * when it is loaded (and interpolated) again. Mapping keys are left alone: interpolation never reads them.
 */
function escapeDollars(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('$', '$$$$');
  if (Array.isArray(value)) return value.map(escapeDollars);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, escapeDollars(child)]));
  }
  return value;
}

function serializeNetwork(network: Network): Dict {
  return compact({
    name: network.name,
    driver: network.driver,
    external: network.external || undefined,
    internal: network.internal || undefined,
    attachable: network.attachable || undefined,
    labels: nonEmpty(sortKeys({ ...network.labels })),
    ...network.other,
  });
}

function serializeVolume(volume: Volume): Dict {
  return compact({
    name: volume.name,
    driver: volume.driver,
    external: volume.external || undefined,
    labels: nonEmpty(sortKeys({ ...volume.labels })),
    ...volume.other,
  });
}

function serializeSecret(secret: SecretDefinition): Dict {
  return compact({
    name: secret.name,
    file: secret.file,
    environment: secret.environment,
    external: secret.external || undefined,
  });
}

function serializeConfig(config: ConfigDefinition): Dict {
  return compact({ ...serializeSecret(config), content: config.content });
}

/** The stack's `x-berth` in the shape its parser reads; absent when every option is a default. */
function berthDocument(berth: BerthStackOptions): Dict {
  const options = compact({
    runtime: berth.runtime,
    proxy: berth.proxy && compact({ http: berth.proxy.http, https: berth.proxy.https, workers: berth.proxy.workers }),
    tls: berth.tls && serializeTls(berth.tls),
    ...berth.other,
  });
  return Object.keys(options).length === 0 ? {} : { 'x-berth': options };
}

function mapSorted<T>(record: Readonly<Record<string, T>>, serialize: (value: T) => unknown): Dict {
  return Object.fromEntries(Object.keys(record).sort().map((key) => [key, serialize(record[key] as T)]));
}

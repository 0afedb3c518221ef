import { isMapping } from './plain-data.js';

/** What identifies a list entry for de-duplication; two entries with the same key are "the same" entry. */
export type ListKey = (entry: unknown) => string;

/** `KEY=value` → `KEY`; any other scalar is its own key (`NET_ADMIN`, `8.8.8.8`). */
export const keyValueKey: ListKey = (entry) => {
  if (typeof entry === 'string') return entry.split('=', 1)[0] ?? entry;
  return scalarKey(entry);
};

/** Ports are the same when host address, published port, container port and protocol all match (not `mode`). */
export const portKey: ListKey = (entry) => {
  if (!isMapping(entry)) return scalarKey(entry);
  const host = entry.host_ip ?? '0.0.0.0';
  const published = entry.published ?? '';
  const protocol = entry.protocol ?? 'tcp';
  return `${String(host)}:${String(published)}:${String(entry.target)}/${String(protocol)}`;
};

/** Mounts are the same when they mount on the same container path. */
export const volumeKey: ListKey = (entry) => {
  if (isMapping(entry)) return scalarKey(entry.target);
  if (typeof entry !== 'string') return scalarKey(entry);
  const parts = entry.split(':');
  return parts.length === 1 ? entry : (parts[1] ?? entry);
};

/** Devices are the same when they appear at the same path in the container. */
export const deviceKey: ListKey = (entry) => {
  if (isMapping(entry)) return scalarKey(entry.target ?? entry.source);
  return volumeKey(entry);
};

/**
 * Secrets and configs are the same when they land on the same file in the container: the target, else the source
 * name under the default folder. A relative secret target lives under `/run/secrets` too, so it is keyed there.
 */
export function mountKey(defaultDir: string): ListKey {
  return (entry) => {
    if (typeof entry === 'string') return `${defaultDir}/${entry}`;
    if (!isMapping(entry)) return scalarKey(entry);
    if (typeof entry.target === 'string') {
      return defaultDir !== '' && !entry.target.startsWith('/') ? `${defaultDir}/${entry.target}` : entry.target;
    }
    return `${defaultDir}/${String(entry.source)}`;
  };
}

/** Env files are the same when they name the same path. */
export const envFileKey: ListKey = (entry) => (isMapping(entry) ? scalarKey(entry.path) : scalarKey(entry));

export const exposeKey: ListKey = (entry) => scalarKey(entry);

function scalarKey(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? 'undefined';
}

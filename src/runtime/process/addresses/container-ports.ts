import type { Service } from '../../../model/stack.js';

/** Longest `expose` range expanded into single ports; a longer one keeps its first port only. */
const MAX_RANGE = 64;

/**
 * The container ports a service listens on, main one first: TCP `ports:` targets, then `expose:` entries, in
 * order and without duplicates; when it declares none, the image adapter's defaults (5432 for postgres).
 */
export function containerPorts(service: Service, adapterDefaults: readonly number[] = []): number[] {
  const out: number[] = [];
  const add = (port: number): void => {
    if (Number.isInteger(port) && port > 0 && port < 65536 && !out.includes(port)) out.push(port);
  };
  for (const mapping of service.ports) if (mapping.protocol === 'tcp') add(mapping.target);
  for (const entry of service.expose) exposed(entry).forEach(add);
  if (out.length === 0) adapterDefaults.forEach(add);
  return out;
}

/** `"3000"`, `"3000/tcp"`, `"3000-3002"` → ports; UDP entries → none. */
function exposed(entry: string): number[] {
  const [range = '', protocol = 'tcp'] = entry.split('/');
  if (protocol !== 'tcp') return [];
  const [from, to] = range.split('-').map((p) => Number(p));
  if (from === undefined || !Number.isInteger(from)) return [];
  if (to === undefined) return [from];
  if (!Number.isInteger(to) || to < from) return [];
  if (to - from >= MAX_RANGE) return [from];
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

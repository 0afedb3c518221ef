import { isIP } from 'node:net';
import type { ModelPath } from '../model-path.js';
import type { StageContext } from '../stage-context.js';
import { isDict, isMarker, quote, type CanonicalTransform, type Dict } from './transform.js';

export const PORT_HINT =
  'use "CONTAINER", "HOST:CONTAINER" or "IP:HOST:CONTAINER" (e.g. "8000:80", "127.0.0.1:8000:80", "[::1]:8000:80"), '
  + 'ranges like "8000-8010:8000-8010", an optional "/udp" or "/sctp", or the long form {target, published}';

/** One long-form port entry as compose's short syntax produces it. */
export interface PortEntry {
  readonly mode: 'ingress';
  readonly host_ip?: string;
  readonly target: number;
  readonly published?: string;
  readonly protocol: string;
}

export type PortParse = { readonly ok: true; readonly entries: PortEntry[] } | { readonly ok: false; readonly reason: string };

/**
 * `services.*.ports`: each short entry (`"8000:80"`, `8080`, `"127.0.0.1:53:53/udp"`) becomes one long-form entry
 * per container port; a range expands to one entry per port, as compose does. Long-form entries are kept as they are.
 */
export const canonicalPorts: CanonicalTransform = (value, path, ctx) => {
  if (!Array.isArray(value)) return value;
  const out: unknown[] = [];
  value.forEach((entry, index) => {
    if (isDict(entry) || isMarker(entry)) {
      out.push(entry);
      return;
    }
    if (typeof entry !== 'string' && typeof entry !== 'number') {
      portError(ctx, [...path, index], entry, 'it is neither a string, a number nor a mapping');
      out.push(entry);
      return;
    }
    const parsed = parsePortSpec(String(entry));
    if (parsed.ok) out.push(...parsed.entries.map(toDict));
    else {
      portError(ctx, [...path, index], entry, parsed.reason);
      out.push(entry);
    }
  });
  return out;
};

function portError(ctx: StageContext, path: ModelPath, entry: unknown, reason: string): void {
  ctx.error('SPEC_PORT', path, `cannot read port ${quote(entry)}: ${reason}`, { hint: PORT_HINT });
}

function toDict(entry: PortEntry): Dict {
  const out: Dict = { mode: entry.mode };
  if (entry.host_ip !== undefined) out.host_ip = entry.host_ip;
  out.target = entry.target;
  if (entry.published !== undefined) out.published = entry.published;
  out.protocol = entry.protocol;
  return out;
}

/** Parses docker's `[IP:][HOST:]CONTAINER[/PROTO]` syntax (go-connections `nat.ParsePortSpec` semantics). */
export function parsePortSpec(raw: string): PortParse {
  const { ip: rawIp, host, container: containerWithProto } = splitParts(raw);
  const slash = containerWithProto.indexOf('/');
  const container = slash < 0 ? containerWithProto : containerWithProto.slice(0, slash);
  if (container === '') return { ok: false, reason: 'no container port is given' };
  const protocol = (slash < 0 ? 'tcp' : containerWithProto.slice(slash + 1) || 'tcp').toLowerCase();
  if (!['tcp', 'udp', 'sctp'].includes(protocol)) return { ok: false, reason: `unknown protocol "${protocol}" (use tcp, udp or sctp)` };
  const ip = parseHostIp(rawIp);
  if (ip === undefined) return { ok: false, reason: `"${rawIp}" is not an IP address` };
  const target = parseRange(container, 'container port');
  if (!target.ok) return target;
  const published = host === '' ? undefined : parseRange(host, 'host port');
  if (published && !published.ok) return published;
  const count = target.end - target.start + 1;
  if (published && published.end - published.start + 1 !== count && count !== 1) {
    return { ok: false, reason: `the container range ${container} and the host range ${host} differ in size` };
  }
  const entries: PortEntry[] = [];
  for (let i = 0; i < count; i++) {
    let hostPort: string | undefined;
    if (published) {
      hostPort = String(published.start + i);
      // One container port with a host range: docker picks a free host port from that range.
      if (count === 1 && published.start !== published.end) hostPort += `-${published.end}`;
    }
    entries.push({
      mode: 'ingress',
      ...(ip === '' ? {} : { host_ip: ip }),
      target: target.start + i,
      ...(hostPort === undefined ? {} : { published: hostPort }),
      protocol,
    });
  }
  // compose sorts the expanded ports by their "PORT/PROTO" text, so 98-102 comes out as 100, 101, 102, 98, 99.
  entries.sort((a, b) => compareText(`${a.target}/${protocol}`, `${b.target}/${protocol}`));
  return { ok: true, entries };
}

function splitParts(raw: string): { ip: string; host: string; container: string } {
  const parts = raw.split(':');
  const n = parts.length;
  if (n === 1) return { ip: '', host: '', container: parts[0] ?? '' };
  if (n === 2) return { ip: '', host: parts[0] ?? '', container: parts[1] ?? '' };
  return { ip: parts.slice(0, n - 2).join(':'), host: parts[n - 2] ?? '', container: parts[n - 1] ?? '' };
}

/** The host IP without IPv6 brackets; `''` when none is given, `undefined` when it is not an address. */
function parseHostIp(raw: string): string | undefined {
  if (raw === '') return '';
  let ip = raw;
  if (raw.startsWith('[')) {
    if (!raw.endsWith(']')) return undefined;
    ip = raw.slice(1, -1);
  }
  return isIP(ip) === 0 ? undefined : ip;
}

type Range = { readonly ok: true; readonly start: number; readonly end: number } | { readonly ok: false; readonly reason: string };

function parseRange(text: string, what: string): Range {
  const dash = text.indexOf('-');
  const startText = dash < 0 ? text : text.slice(0, dash);
  const endText = dash < 0 ? text : text.slice(dash + 1);
  const start = parsePortNumber(startText);
  const end = parsePortNumber(endText);
  if (start === undefined || end === undefined) {
    const bad = start === undefined ? startText : endText;
    return { ok: false, reason: `${what} "${bad}" is not a number from 0 to 65535` };
  }
  if (end < start) return { ok: false, reason: `${what} range ${text} ends before it starts` };
  return { ok: true, start, end };
}

function parsePortNumber(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

import type { PortMapping, Protocol } from '../../model/stack.js';
import type { ModelPath } from '../model-path.js';
import type { StageContext } from '../stage-context.js';
import { isDict, readInteger, readString, typeError } from './read.js';

const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'sctp'];

/**
 * Long-form `ports:` entries (canonical has expanded the short ones) → PortMappings with compose's defaults:
 * `protocol: tcp`, `mode: ingress`. `published` is kept as text (`"8080"`, `"8000-8010"`); absent = ephemeral.
 */
export function readPorts(value: unknown, ctx: StageContext, path: ModelPath): PortMapping[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    typeError(ctx, path, 'a list of ports', value);
    return [];
  }
  const out: PortMapping[] = [];
  value.forEach((entry, index) => {
    const port = readPort(entry, ctx, [...path, index]);
    if (port) out.push(port);
  });
  return out;
}

function readPort(entry: unknown, ctx: StageContext, path: ModelPath): PortMapping | undefined {
  if (!isDict(entry)) {
    typeError(ctx, path, 'a port mapping', entry);
    return undefined;
  }
  const target = readInteger(entry.target, ctx, [...path, 'target']);
  if (target === undefined || target < 0 || target > 65535) {
    ctx.error('SPEC_PORT', [...path, 'target'], `expected a container port from 0 to 65535, got ${JSON.stringify(entry.target)}`, {
      hint: 'set `target:` to the port the service listens on inside its container',
    });
    return undefined;
  }
  const published = readPublished(entry.published, ctx, [...path, 'published']);
  const hostIp = readString(entry.host_ip, ctx, [...path, 'host_ip']);
  const name = readString(entry.name, ctx, [...path, 'name']);
  const appProtocol = readString(entry.app_protocol, ctx, [...path, 'app_protocol']);
  return {
    target,
    ...(published === undefined || published === '' ? {} : { published }),
    ...(hostIp === undefined || hostIp === '' ? {} : { hostIp }),
    protocol: readProtocol(entry.protocol, ctx, [...path, 'protocol']),
    mode: entry.mode === 'host' ? 'host' : 'ingress',
    ...(name === undefined ? {} : { name }),
    ...(appProtocol === undefined ? {} : { appProtocol }),
  };
}

/** `published`: a host port or range (`"8080"`, `"8000-8010"`); `""` or absent = an ephemeral port. */
function readPublished(value: unknown, ctx: StageContext, path: ModelPath): string | undefined {
  const text = readString(value, ctx, path);
  if (text === undefined || text === '') return text;
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  const [start, end] = match ? [Number(match[1]), Number(match[2] ?? match[1])] : [NaN, NaN];
  if (start <= end && end <= 65535) return text;
  ctx.error('SPEC_PORT', path, `expected a host port from 0 to 65535 or a range like "8000-8010", got ${JSON.stringify(value)}`, {
    hint: 'set `published:` to the port to open on the host, or leave it out for a free one',
  });
  return undefined;
}

function readProtocol(value: unknown, ctx: StageContext, path: ModelPath): Protocol {
  const text = (readString(value, ctx, path) ?? 'tcp').toLowerCase();
  const protocol = PROTOCOLS.find((p) => p === text);
  if (protocol) return protocol;
  ctx.error('SPEC_PORT', path, `unknown protocol ${JSON.stringify(value)}`, { hint: 'use tcp, udp or sctp' });
  return 'tcp';
}

import type { PortMapping } from '../../../model/stack.js';
import type { StackRule } from './stack-rule.js';

interface Published {
  readonly service: string;
  readonly index: number;
  readonly port: PortMapping;
  readonly from: number;
  readonly to: number;
}

/**
 * No two published ports claim the same host port: same protocol, overlapping port ranges, and host IPs that
 * overlap (equal, or one of them binds every address: none given, `0.0.0.0` for IPv4, `::` for IPv6).
 * Ports without a host port get a free one and never conflict. The later mapping in the file is the one reported.
 */
export const noPortConflicts: StackRule = (stack, ctx) => {
  const seen: Published[] = [];
  for (const service of Object.values(stack.services)) {
    service.ports.forEach((port, index) => {
      const range = hostRange(port.published);
      if (range === undefined) return;
      const current: Published = { service: service.name, index, port, from: range[0], to: range[1] };
      const clash = seen.find((earlier) => conflicts(earlier, current));
      if (clash) {
        ctx.error('SPEC_PORT', ['services', service.name, 'ports', index], conflictMessage(clash, current), {
          hint: 'publish one of them on another host port, or leave the host port out to get a free one',
        });
      }
      seen.push(current);
    });
  }
};

function hostRange(published: string | undefined): [number, number] | undefined {
  const match = published === undefined ? null : /^(\d+)(?:-(\d+))?$/.exec(published);
  if (!match) return undefined;
  const from = Number(match[1]);
  return [from, match[2] === undefined ? from : Number(match[2])];
}

function conflicts(a: Published, b: Published): boolean {
  return a.port.protocol === b.port.protocol && a.from <= b.to && b.from <= a.to && ipsOverlap(a.port.hostIp, b.port.hostIp);
}

function ipsOverlap(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined || a === '' || b === '' || a === b) return true;
  const isV6 = (ip: string): boolean => ip.includes(':');
  if (a === '0.0.0.0') return !isV6(b);
  if (b === '0.0.0.0') return !isV6(a);
  if (a === '::') return isV6(b);
  if (b === '::') return isV6(a);
  return false;
}

function describe(p: Published): string {
  const ip = p.port.hostIp;
  const host = ip === undefined || ip === '' ? '' : ip.includes(':') ? `[${ip}]:` : `${ip}:`;
  return `${host}${p.port.published ?? ''}/${p.port.protocol}`;
}

function conflictMessage(earlier: Published, later: Published): string {
  const same = describe(earlier) === describe(later);
  if (earlier.service === later.service) {
    return same
      ? `host port ${describe(later)} is published twice by \`${later.service}\``
      : `host port ${describe(later)} of \`${later.service}\` overlaps its own ${describe(earlier)}`;
  }
  return same
    ? `host port ${describe(later)} is published by both \`${earlier.service}\` and \`${later.service}\``
    : `host port ${describe(later)} of \`${later.service}\` overlaps ${describe(earlier)} of \`${earlier.service}\``;
}

import { BlockList, isIP } from 'node:net';
import type { IpAllowListOptions } from '../../model/route-middlewares.js';
import { unmapIPv4 } from './client-address.js';
import { invalidOption, refuse, type Middleware } from './middleware.js';

/**
 * Lets only clients whose address is in one of the ranges through (`10.0.0.0/8`, `192.168.1.7`, `::1`,
 * `2001:db8::/32`); every other client is answered 403 and never reaches the upstream. IPv4 clients seen through a
 * dual-stack socket (`::ffff:10.0.0.1`) are matched as IPv4. The client address is the proxy's decision
 * (`ctx.clientIp`), not a header the client sent.
 */
export function ipAllowList(options: IpAllowListOptions): Middleware {
  const list = compileRanges(options.ranges);
  return async (ctx, next) => {
    const ip = unmapIPv4(ctx.clientIp);
    const family = isIP(ip);
    if (family !== 0 && list.check(ip, family === 4 ? 'ipv4' : 'ipv6')) return next();
    refuse(ctx, 403);
  };
}

/** The ranges as a BlockList (used as an allow list); a bad range is an error naming its index. */
export function compileRanges(ranges: readonly string[]): BlockList {
  if (ranges.length === 0) throw invalidOption('ipAllowList.ranges', 'no address is allowed', 'list addresses or CIDR ranges, e.g. 10.0.0.0/8');
  const list = new BlockList();
  ranges.forEach((range, i) => {
    const slash = range.indexOf('/');
    const address = unmapIPv4(slash < 0 ? range : range.slice(0, slash));
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefix = slash < 0 ? bits : Number(range.slice(slash + 1));
    if (family === 0 || !/^[0-9]{1,3}$/.test(slash < 0 ? String(bits) : range.slice(slash + 1)) || prefix > bits) {
      throw invalidOption(`ipAllowList.ranges[${i}]`, `expected an IP address or CIDR range like 10.0.0.0/8 or 2001:db8::/32, got ${JSON.stringify(range)}`);
    }
    list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  });
  return list;
}

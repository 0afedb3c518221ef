import { isIPv4, isIPv6 } from 'node:net';

/** An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, how a dual-stack socket reports IPv4 clients) as plain IPv4. */
export function unmapIPv4(ip: string): string {
  if (ip.length > 7 && ip.slice(0, 7).toLowerCase() === '::ffff:' && isIPv4(ip.slice(7))) return ip.slice(7);
  return ip;
}

/**
 * The key one client is counted under: its IPv4 address, or the /64 network of its IPv6 address (one site or
 * subscriber gets a whole /64, so counting single IPv6 addresses would let it rotate past any limit).
 */
export function clientKey(ip: string): string {
  const address = unmapIPv4(ip);
  if (!isIPv6(address)) return address;
  const [head = '', tail] = address.toLowerCase().split('%')[0]?.split('::') ?? [];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  // An embedded IPv4 tail (`::1.2.3.4`) takes two groups; it only matters for the length, the key uses groups 0–3.
  const width = (groups: readonly string[]) => groups.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - width(left) - width(right)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

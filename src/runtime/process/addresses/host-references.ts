/** Resolves a host name to a service's virtual address; undefined when it names no service. */
export type HostResolver = (host: string) => string | undefined;

const URL_AUTHORITY = /([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^\s/?#]*)/g;
const HOST_PORT_LIST = /^[A-Za-z0-9_.-]+:\d+(,[A-Za-z0-9_.-]+:\d+)*$/;

/**
 * Rewrites references to services in a string to their virtual addresses, ports unchanged: the host of each URL
 * authority (`postgres://u:p@db:5432/x`, `redis://redis:6379/0`, `mongodb://a:1,b:2/db`), or a value that is
 * wholly a `HOST:PORT` list (`redis:6379`, `kafka:9092,kafka2:9092`). Hosts that name no service are kept.
 */
export function rewriteServiceReferences(value: string, resolve: HostResolver): string {
  if (HOST_PORT_LIST.test(value)) return rewriteHostList(value, resolve);
  return value.replace(URL_AUTHORITY, (_match, scheme: string, authority: string) => `${scheme}${rewriteAuthority(authority, resolve)}`);
}

function rewriteAuthority(authority: string, resolve: HostResolver): string {
  const at = authority.lastIndexOf('@');
  const userinfo = at < 0 ? '' : authority.slice(0, at + 1);
  return userinfo + rewriteHostList(authority.slice(at + 1), resolve);
}

function rewriteHostList(hosts: string, resolve: HostResolver): string {
  return hosts.split(',').map((entry) => rewriteHostPort(entry, resolve)).join(',');
}

function rewriteHostPort(entry: string, resolve: HostResolver): string {
  if (entry.startsWith('[')) return entry;
  const colon = entry.indexOf(':');
  const host = colon < 0 ? entry : entry.slice(0, colon);
  const address = host === '' ? undefined : resolve(host);
  return address === undefined ? entry : address + (colon < 0 ? '' : entry.slice(colon));
}

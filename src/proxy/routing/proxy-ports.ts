import { BerthError } from '../../errors.js';
import type { BerthStackOptions } from '../../model/berth-options.js';

/** Where a proxy port came from, for `berth config` and error messages. */
export type PortOrigin = 'flag' | 'env' | 'file' | 'default';

export const DEFAULT_PROXY_PORTS = { http: 80, https: 443 } as const;

/** Everything that can set the proxy's ports; each part is optional. */
export interface ProxyPortsInput {
  /** `berth up --http-port N --https-port N`, as the CLI parsed them (strings or numbers). */
  readonly flags?: { readonly http?: string | number; readonly https?: string | number };
  /** The process environment: `BERTH_HTTP_PORT`, `BERTH_HTTPS_PORT` (empty = unset). */
  readonly environment?: Readonly<Record<string, string | undefined>>;
  /** Top-level `x-berth.proxy` of the stack (already checked by the loader). */
  readonly file?: BerthStackOptions['proxy'];
}

export interface ProxyPorts {
  readonly http: number;
  readonly https: number;
  readonly origin: { readonly http: PortOrigin; readonly https: PortOrigin };
}

type Scheme = 'http' | 'https';

const NAMES: Record<Scheme, Record<Exclude<PortOrigin, 'default'>, string>> = {
  http: { flag: '--http-port', env: 'BERTH_HTTP_PORT', file: 'x-berth.proxy.http' },
  https: { flag: '--https-port', env: 'BERTH_HTTPS_PORT', file: 'x-berth.proxy.https' },
};

/**
 * The proxy's listening ports, each chosen as flag > environment > file > default (80 / 443). Pure: reads only
 * its input. A flag or variable must be a whole number from 0 to 65535 (0 = a free port the OS picks, for tests)
 * or it is a USAGE error naming it; the two ports must differ (unless 0). Does not check that a port is free or
 * that berth may bind it (ports below 1024 need privileges): listening does.
 */
export function resolveProxyPorts(input: ProxyPortsInput): ProxyPorts {
  const http = resolveOne('http', input);
  const https = resolveOne('https', input);
  if (http.port !== 0 && http.port === https.port) {
    const fromFileOnly = http.origin === 'file' && https.origin === 'file';
    throw new BerthError(fromFileOnly ? 'SPEC_BERTH' : 'USAGE', `the HTTP and HTTPS ports are both ${http.port} (${describe('http', http.origin)}, ${describe('https', https.origin)})`, {
      hint: 'give the proxy two different ports',
    });
  }
  return { http: http.port, https: https.port, origin: { http: http.origin, https: https.origin } };
}

function resolveOne(scheme: Scheme, input: ProxyPortsInput): { port: number; origin: PortOrigin } {
  const flag = input.flags?.[scheme];
  if (flag !== undefined) return { port: parsePort(flag, NAMES[scheme].flag), origin: 'flag' };
  const env = input.environment?.[NAMES[scheme].env];
  if (env !== undefined && env !== '') return { port: parsePort(env, NAMES[scheme].env), origin: 'env' };
  const file = input.file?.[scheme];
  if (file !== undefined) return { port: file, origin: 'file' };
  return { port: DEFAULT_PROXY_PORTS[scheme], origin: 'default' };
}

function parsePort(raw: string | number, name: string): number {
  const text = String(raw).trim();
  const port = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (port >= 0 && port <= 65535) return port;
  throw new BerthError('USAGE', `${name}: expected a port number from 0 to 65535, got ${JSON.stringify(raw)}`, {
    hint: 'e.g. 8080 (0 lets the system pick a free port)',
  });
}

function describe(scheme: Scheme, origin: PortOrigin): string {
  return origin === 'default' ? `${scheme} by default` : `${scheme} from ${NAMES[scheme][origin]}`;
}

/** `auto` worker processes: one per CPU, at most this many. */
const AUTO_WORKERS_MAX = 8;

/**
 * How many processes serve the proxy's connections: `BERTH_PROXY_WORKERS` > `x-berth.proxy.workers` > `auto`,
 * where `auto` is one per CPU (at most 8). 1 means the daemon serves them itself.
 */
export function resolveProxyWorkers(input: {
  readonly environment?: Readonly<Record<string, string | undefined>>;
  readonly file?: BerthStackOptions['proxy'];
  readonly cpus: number;
}): number {
  const env = input.environment?.BERTH_PROXY_WORKERS;
  let chosen: number | 'auto' = input.file?.workers ?? 'auto';
  if (env !== undefined && env.trim() !== '') {
    const text = env.trim();
    const n = /^[0-9]+$/.test(text) ? Number(text) : NaN;
    if (text !== 'auto' && !(n >= 1 && n <= 64)) {
      throw new BerthError('USAGE', `BERTH_PROXY_WORKERS: expected auto or a number from 1 to 64, got ${JSON.stringify(env)}`, {
        hint: 'e.g. BERTH_PROXY_WORKERS=2, or unset it to use x-berth.proxy.workers (default auto: one per CPU)',
      });
    }
    chosen = text === 'auto' ? 'auto' : n;
  }
  return chosen === 'auto' ? Math.max(1, Math.min(AUTO_WORKERS_MAX, input.cpus)) : chosen;
}

import { describe, expect, it } from 'vitest';
import { BerthError } from '../../errors.js';
import { resolveProxyPorts, resolveProxyWorkers, type ProxyPortsInput } from './proxy-ports.js';

function failure(input: ProxyPortsInput): BerthError {
  try {
    resolveProxyPorts(input);
  } catch (error) {
    if (error instanceof BerthError) return error;
    throw error;
  }
  throw new Error('expected resolveProxyPorts to throw');
}

describe('resolveProxyPorts', () => {
  it('defaults to 80 and 443', () => {
    expect(resolveProxyPorts({})).toEqual({ http: 80, https: 443, origin: { http: 'default', https: 'default' } });
  });

  it.each<[string, ProxyPortsInput, number, string]>([
    ['file over default', { file: { http: 8080 } }, 8080, 'file'],
    ['env over file', { file: { http: 8080 }, environment: { BERTH_HTTP_PORT: '8081' } }, 8081, 'env'],
    ['flag over env and file', { file: { http: 8080 }, environment: { BERTH_HTTP_PORT: '8081' }, flags: { http: '8082' } }, 8082, 'flag'],
    ['a numeric flag', { flags: { http: 8083 } }, 8083, 'flag'],
    ['an empty variable as unset', { file: { http: 8080 }, environment: { BERTH_HTTP_PORT: '' } }, 8080, 'file'],
    ['0 from a flag (the OS picks a port)', { flags: { http: '0' } }, 0, 'flag'],
  ])('takes %s for http', (_name, input, port, origin) => {
    const ports = resolveProxyPorts(input);
    expect([ports.http, ports.origin.http]).toEqual([port, origin]);
    expect([ports.https, ports.origin.https]).toEqual([443, 'default']);
  });

  it('resolves each port on its own', () => {
    expect(resolveProxyPorts({
      flags: { https: '9443' }, environment: { BERTH_HTTP_PORT: '9080', BERTH_HTTPS_PORT: '1' }, file: { http: 1, https: 2 },
    })).toEqual({ http: 9080, https: 9443, origin: { http: 'env', https: 'flag' } });
  });

  it.each<[ProxyPortsInput, string]>([
    [{ flags: { http: 'abc' } }, '--http-port: expected a port number from 0 to 65535, got "abc"'],
    [{ flags: { https: 70000 } }, '--https-port: expected a port number from 0 to 65535, got 70000'],
    [{ environment: { BERTH_HTTPS_PORT: '-1' } }, 'BERTH_HTTPS_PORT: expected a port number from 0 to 65535, got "-1"'],
    [{ environment: { BERTH_HTTP_PORT: '80.5' } }, 'BERTH_HTTP_PORT: expected a port number from 0 to 65535, got "80.5"'],
  ])('refuses %j as a usage error', (input, message) => {
    const error = failure(input);
    expect([error.code, error.message]).toEqual(['USAGE', message]);
  });

  it('refuses the same port for HTTP and HTTPS, saying where each came from', () => {
    const error = failure({ flags: { http: '443' } });
    expect([error.code, error.message, error.hint]).toEqual([
      'USAGE', 'the HTTP and HTTPS ports are both 443 (http from --http-port, https by default)', 'give the proxy two different ports',
    ]);
    expect(failure({ file: { http: 8080, https: 8080 } }).message)
      .toBe('the HTTP and HTTPS ports are both 8080 (http from x-berth.proxy.http, https from x-berth.proxy.https)');
    expect(failure({ file: { http: 8080, https: 8080 } }).code).toBe('SPEC_BERTH');
    expect(resolveProxyPorts({ flags: { http: 0, https: 0 } })).toMatchObject({ http: 0, https: 0 });
  });
});

describe('resolveProxyWorkers', () => {
  it.each([
    [{ cpus: 2 }, 2],
    [{ cpus: 1 }, 1],
    [{ cpus: 32 }, 8],
    [{ cpus: 4, file: { workers: 3 } }, 3],
    [{ cpus: 4, file: { workers: 'auto' as const } }, 4],
    [{ cpus: 4, file: { workers: 3 }, environment: { BERTH_PROXY_WORKERS: '1' } }, 1],
    [{ cpus: 4, file: { workers: 1 }, environment: { BERTH_PROXY_WORKERS: 'auto' } }, 4],
    [{ cpus: 4, file: { workers: 2 }, environment: { BERTH_PROXY_WORKERS: '' } }, 2],
  ])('%j → %d workers', (input, expected) => {
    expect(resolveProxyWorkers(input)).toBe(expected);
  });

  it('names the variable when BERTH_PROXY_WORKERS is not a count', () => {
    expect(() => resolveProxyWorkers({ cpus: 2, environment: { BERTH_PROXY_WORKERS: 'lots' } })).toThrow(
      /BERTH_PROXY_WORKERS: expected auto or a number from 1 to 64, got "lots"/,
    );
  });
});

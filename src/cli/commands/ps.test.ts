import { describe, expect, it } from 'vitest';
import type { InstanceId } from '../../model/ids.js';
import type { ReplicaView } from '../../supervisor/supervisor.js';
import { proxyLine, psRow } from './ps.js';

const base: ReplicaView = {
  service: 'api', replica: 1, instanceId: 'tasks-api-1' as InstanceId, status: 'running', pid: 42,
  endpoints: { 8000: { host: '127.0.0.1', port: 41000 } }, restarts: 0, since: 0,
};
const exit = { code: 0, signal: null, at: 1 };

describe('berth ps rows', () => {
  it('shows the last exit code of a replica that is down', () => {
    expect(psRow({ ...base, status: 'stopped', exit })[1]).toBe('stopped (0)');
    expect(psRow({ ...base, status: 'restarting', exit: { ...exit, code: 1 }, detail: 'crash loop: 5 exits in 30s' })[1])
      .toBe('restarting (1) — crash loop: 5 exits in 30s');
  });

  it('does not show the previous run’s exit code once the replica runs again (stop then start)', () => {
    expect(psRow({ ...base, status: 'running', exit, health: 'healthy', release: 'r3' })).toEqual(['api-1', 'running', 'healthy', 'r3', '42', '127.0.0.1:41000->8000', '0']);
  });
});

describe('berth ps proxy line', () => {
  it('names the HTTPS port while the HTTPS listener is up, and the metrics address', () => {
    expect(proxyLine({ http: 8080, https: 8443, admin: 41234 })).toBe('edge proxy: http on port 8080, https on port 8443, metrics on http://127.0.0.1:41234/metrics');
  });

  it('shows only HTTP when there is no HTTPS listener', () => {
    expect(proxyLine({ http: 8080, admin: 41234 })).toBe('edge proxy: http on port 8080, metrics on http://127.0.0.1:41234/metrics');
    expect(proxyLine({ http: 80 })).toBe('edge proxy: http on port 80');
    expect(proxyLine({ http: 80, workers: 2 })).toBe('edge proxy: http on port 80 (2 worker processes)');
  });
});

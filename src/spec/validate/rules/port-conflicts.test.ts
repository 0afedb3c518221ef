import { describe, expect, it } from 'vitest';
import type { PortMapping } from '../../../model/stack.js';
import { StageContext } from '../../stage-context.js';
import { noPortConflicts } from './port-conflicts.js';
import { testService, testStack } from './test-stack.js';

const port = (published: string | undefined, extra: Partial<PortMapping> = {}): PortMapping =>
  ({ target: 80, protocol: 'tcp', mode: 'ingress', ...(published === undefined ? {} : { published }), ...extra });

function conflicts(...services: [string, PortMapping[]][]): string[] {
  const ctx = new StageContext();
  noPortConflicts(testStack(services.map(([name, ports]) => testService(name, { ports }))), ctx);
  return ctx.issues.map((i) => `${i.path ?? ''}: ${i.message}`);
}

describe('noPortConflicts', () => {
  it('accepts distinct host ports, other protocols, distinct IPs and ephemeral ports', () => {
    expect(conflicts(
      ['web', [port('8000'), port('53', { protocol: 'udp' }), port('9000', { hostIp: '127.0.0.1' }), port(undefined)]],
      ['api', [port('8001'), port('53'), port('9000', { hostIp: '127.0.0.2' }), port(undefined), port('9000', { hostIp: '::1' })]],
    )).toEqual([]);
  });

  it('rejects two services publishing the same host port, naming both', () => {
    expect(conflicts(['web', [port('8000')]], ['api', [port('8000')]])).toEqual([
      'services.api.ports[0]: host port 8000/tcp is published by both `web` and `api`',
    ]);
  });

  it('treats a port bound to every address as overlapping one bound to a single address', () => {
    expect(conflicts(['web', [port('80')]], ['api', [port('80', { hostIp: '127.0.0.1' })]])).toEqual([
      'services.api.ports[0]: host port 127.0.0.1:80/tcp of `api` overlaps 80/tcp of `web`',
    ]);
    expect(conflicts(['web', [port('80', { hostIp: '0.0.0.0' })]], ['api', [port('80', { hostIp: '::1' })]])).toEqual([]);
  });

  it('finds overlapping ranges and duplicates within one service', () => {
    expect(conflicts(['web', [port('8000-8010'), port('8000-8010')]], ['api', [port('8005', { hostIp: '::' })]])).toEqual([
      'services.web.ports[1]: host port 8000-8010/tcp is published twice by `web`',
      'services.api.ports[0]: host port [::]:8005/tcp of `api` overlaps 8000-8010/tcp of `web`',
    ]);
  });
});

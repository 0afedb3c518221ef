import { describe, expect, it } from 'vitest';
import { LIVENESS_FACTOR, probesFor } from './probes.js';
import { stackFrom } from './test-stack.js';

function probes(serviceYaml: string): ReturnType<typeof probesFor> {
  const stack = stackFrom(`services:\n  web:\n    image: web:1\n${serviceYaml}`);
  return probesFor(stack.services.web!);
}

describe('probes from healthchecks', () => {
  it('maps a CMD-SHELL healthcheck to an sh -c exec probe with compose timings', () => {
    const { probes: p } = probes([
      '    healthcheck:',
      '      test: ["CMD-SHELL", "pg_isready -U app"]',
      '      interval: 10s', '      timeout: 3s', '      retries: 4',
    ].join('\n'));
    expect(p.readinessProbe).toEqual({ exec: { command: ['sh', '-c', 'pg_isready -U app'] }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 4 });
    expect(p.livenessProbe).toEqual({ ...p.readinessProbe, failureThreshold: 4 * LIVENESS_FACTOR });
    expect(p.startupProbe).toBeUndefined();
  });

  it('keeps a CMD healthcheck as an exec argv', () => {
    const { probes: p } = probes('    healthcheck:\n      test: ["CMD", "redis-cli", "ping"]\n');
    expect(p.readinessProbe).toMatchObject({ exec: { command: ['redis-cli', 'ping'] } });
  });

  it('turns start_period into a startupProbe polled every interval', () => {
    const { probes: p } = probes('    healthcheck:\n      test: ["CMD", "true"]\n      interval: 10s\n      start_period: 25s\n');
    expect(p.startupProbe).toMatchObject({ exec: { command: ['true'] }, periodSeconds: 10, failureThreshold: 3 });
  });

  it('uses x-berth.health http as an httpGet probe on the service port, instead of the compose healthcheck', () => {
    const { probes: p } = probes([
      '    expose: ["8000"]',
      '    healthcheck:', '      test: ["CMD", "false"]',
      '    x-berth:', '      health:', '        http: /health', '        interval: 5s', '        retries: 2',
    ].join('\n'));
    expect(p.readinessProbe).toEqual({ httpGet: { path: '/health', port: 8000 }, periodSeconds: 5, timeoutSeconds: 30, failureThreshold: 2 });
  });

  it('uses x-berth.health tcp as a tcpSocket probe on the given port', () => {
    const { probes: p } = probes('    x-berth:\n      health:\n        tcp: {port: 9000}\n');
    expect(p.livenessProbe).toMatchObject({ tcpSocket: { port: 9000 } });
  });

  it('reports an x-berth tcp check with no port to aim at and emits no probe', () => {
    const result = probes('    x-berth:\n      health:\n        tcp: {}\n');
    expect(result.probes).toEqual({});
    expect(result.problem).toMatch(/no port/);
  });

  it('emits no probes without a check', () => {
    expect(probes('').probes).toEqual({});
  });
});

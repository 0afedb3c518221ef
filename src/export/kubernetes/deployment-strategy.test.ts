import { describe, expect, it } from 'vitest';
import { strategyFor } from './deployment-strategy.js';
import { stackFrom } from './test-stack.js';

function strategy(serviceYaml: string, hasClaim = false): ReturnType<typeof strategyFor> {
  const stack = stackFrom(`services:\n  web:\n    image: web:1\n    expose: ["80"]\n${serviceYaml}`);
  return strategyFor(stack.services.web!, hasClaim);
}

describe('Deployment strategy', () => {
  it.each([
    ['start-first surges by parallelism with none unavailable', 'start-first', { maxSurge: 2, maxUnavailable: 0 }],
    ['stop-first takes parallelism down with no surge', 'stop-first', { maxSurge: 0, maxUnavailable: 2 }],
  ])('compose update_config: %s', (_name, order, rollingUpdate) => {
    const result = strategy(`    deploy:\n      replicas: 4\n      update_config: {parallelism: 2, order: ${order}}\n`);
    expect(result.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate });
    expect(result.note).toBeUndefined();
  });

  it('prefers x-berth.deploy.rolling over compose', () => {
    const result = strategy([
      '    deploy:', '      replicas: 3', '      update_config: {parallelism: 1, order: start-first}',
      '    x-berth:', '      deploy:', '        rolling: {parallelism: 3, order: stop-first}',
    ].join('\n'));
    expect(result.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 3 } });
  });

  it('defaults to one at a time, start-first', () => {
    expect(strategy('').strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  });

  it('maps recreate to Recreate', () => {
    expect(strategy('    x-berth:\n      deploy: {strategy: recreate}\n')).toEqual({ strategy: { type: 'Recreate' } });
  });

  it('maps blue-green to a full surge and says what is lost', () => {
    const result = strategy('    x-berth:\n      routes: [{host: shop.example.com}]\n');
    expect(result.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '100%', maxUnavailable: 0 } });
    expect(result.note).toMatch(/blue-green/);
  });

  it('maps canary to a rolling update with a note', () => {
    const result = strategy('    x-berth:\n      deploy: {strategy: canary}\n');
    expect(result.strategy).toMatchObject({ type: 'RollingUpdate' });
    expect(result.note).toMatch(/canary/);
  });

  it('recreates a service that mounts a claim, whatever its strategy', () => {
    const result = strategy('', true);
    expect(result.strategy).toEqual({ type: 'Recreate' });
    expect(result.note).toMatch(/ReadWriteOnce/);
  });
});

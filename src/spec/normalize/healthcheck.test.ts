import { describe, expect, it } from 'vitest';
import { loadWeb } from './test-helpers.js';

const defaults = { intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0, startIntervalMs: 5_000 };

describe('normalize: healthcheck', () => {
  it.each([
    ['a string (shell)', 'curl -f http://localhost/', { kind: 'shell', command: 'curl -f http://localhost/' }],
    ['CMD (exec)', ['CMD', 'curl', '-f', 'http://localhost/'], { kind: 'exec', argv: ['curl', '-f', 'http://localhost/'] }],
    ['CMD-SHELL (shell)', ['CMD-SHELL', 'pg_isready -U postgres'], { kind: 'shell', command: 'pg_isready -U postgres' }],
  ])('reads a test given as %s, with every default', (_name, test, expected) => {
    const { web, ctx } = loadWeb({ image: 'x', healthcheck: { test } });
    expect(ctx.issues).toEqual([]);
    expect(web.healthcheck).toEqual({ test: expected, ...defaults });
  });

  it('reads the timings', () => {
    const { web } = loadWeb({
      image: 'x',
      healthcheck: { test: 'true', interval: '10s', timeout: '2s', retries: 5, start_period: '1m', start_interval: '500ms' },
    });
    expect(web.healthcheck).toEqual({
      test: { kind: 'shell', command: 'true' }, intervalMs: 10_000, timeoutMs: 2_000, retries: 5, startPeriodMs: 60_000, startIntervalMs: 500,
    });
  });

  it.each([
    ['disable: true', { test: 'true', disable: true }],
    ['test: ["NONE"]', { test: ['NONE'] }],
  ])('has no healthcheck with %s', (_name, healthcheck) => {
    const { web, ctx } = loadWeb({ image: 'x', healthcheck });
    expect(web.healthcheck).toBeUndefined();
    expect(ctx.issues).toEqual([]);
  });

  it('warns that a healthcheck without test leaves health to the image', () => {
    const { web, ctx } = loadWeb({ image: 'x', healthcheck: { interval: '5s' } });
    expect(web.healthcheck).toBeUndefined();
    expect(ctx.warnings[0]?.path).toBe('services.web.healthcheck');
  });

  it.each([
    [['curl', 'x'], 'must start with "CMD"'],
    [['CMD'], 'CMD is not followed by a command'],
  ])('refuses test %j', (test, reason) => {
    const { ctx } = loadWeb({ image: 'x', healthcheck: { test } });
    expect(ctx.issues[0]?.path).toBe('services.web.healthcheck.test');
    expect(ctx.issues[0]?.message).toContain(reason);
  });

  it('takes 0 as docker\'s default, as the engine does, so a 0s interval never probes in a tight loop', () => {
    const { web, ctx } = loadWeb({ image: 'x', healthcheck: { test: 'true', interval: '0s', timeout: 0, retries: 0, start_interval: '0s' } });
    expect(ctx.issues).toEqual([]);
    expect(web.healthcheck).toEqual({ test: { kind: 'shell', command: 'true' }, ...defaults });
  });

  it.each([
    ['interval', '-5s', 'SPEC_DURATION'],
    ['retries', -1, 'SPEC_TYPE'],
  ])('refuses a negative %s', (key, value, code) => {
    const { ctx } = loadWeb({ image: 'x', healthcheck: { test: 'true', [key]: value } });
    expect(ctx.issues.map((issue) => [issue.code, issue.path])).toEqual([[code, `services.web.healthcheck.${key}`]]);
  });

  it('reports a bad interval as SPEC_DURATION and keeps the default', () => {
    const { web, ctx } = loadWeb({ image: 'x', healthcheck: { test: 'true', interval: 'often' } });
    expect(ctx.issues[0]?.code).toBe('SPEC_DURATION');
    expect(ctx.issues[0]?.path).toBe('services.web.healthcheck.interval');
    expect(web.healthcheck?.intervalMs).toBe(30_000);
  });
});

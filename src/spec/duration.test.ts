import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, readDuration } from './duration.js';
import { StageContext } from './stage-context.js';

describe('parseDuration', () => {
  it.each([
    ['10s', 10_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['500ms', 500],
    ['1.5s', 1500],
    ['.5s', 500],
    ['2us', 0.002],
    ['2µs', 0.002],
    ['2μs', 0.002],
    ['100ns', 0.0001],
    ['1h0m0s', 3_600_000],
    ['2h45m', 9_900_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['0', 0],
    ['-1s', -1000],
    ['+3s', 3000],
    ['1m1.5s', 61_500],
  ])('reads %s as %d ms', (input, ms) => {
    const result = parseDuration(input);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.ms).toBeCloseTo(ms, 9);
  });

  it.each([
    ['10', 'has no unit'],
    ['', 'empty'],
    ['abc', 'not a number'],
    ['10sec', 'unknown unit "sec"'],
    ['1x', 'unknown unit "x"'],
    ['s', '"s" is not a number'],
    ['1.2.3s', 'not a number'],
    ['10 s', 'unknown unit " s"'],
  ])('refuses %j and says why', (input, reason) => {
    const result = parseDuration(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [10_000, '10s'],
    [90_000, '1m30s'],
    [500, '500ms'],
    [1500, '1.5s'],
    [3_600_000, '1h0m0s'],
    [9_900_000, '2h45m0s'],
    [61_500, '1m1.5s'],
    [0.002, '2µs'],
    [0.0001, '100ns'],
    [1.25, '1.25ms'],
    [-1000, '-1s'],
    [86_400_000, '24h0m0s'],
  ])('prints %d ms as %s, as Go does', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([0, 10_000, 90_000, 500, 1500, 3_600_000, 61_500, 0.002, 1.25, 123_456_789])(
    'round-trips %d ms through format and parse',
    (ms) => {
      const result = parseDuration(formatDuration(ms));
      expect(result.ok && result.ms).toBeCloseTo(ms, 9);
    },
  );
});

describe('readDuration', () => {
  it('reports SPEC_DURATION with the value quoted and the hint', () => {
    const ctx = new StageContext();
    expect(readDuration('10', ctx, ['services', 'web', 'stop_grace_period'])).toBeUndefined();
    const issue = ctx.issues[0];
    expect(issue?.code).toBe('SPEC_DURATION');
    expect(issue?.message).toContain('"10"');
    expect(issue?.path).toBe('services.web.stop_grace_period');
    expect(issue?.hint).toBe('use a duration like 10s, 1m30s or 500ms');
  });

  it('accepts the number 0 and strings', () => {
    const ctx = new StageContext();
    expect(readDuration(0, ctx, [])).toBe(0);
    expect(readDuration('2s', ctx, [])).toBe(2000);
    expect(ctx.issues).toHaveLength(0);
  });

  it('refuses a bare non-zero number as compose does', () => {
    const ctx = new StageContext();
    expect(readDuration(10, ctx, ['x'])).toBeUndefined();
    expect(ctx.issues[0]?.message).toContain('has no unit');
  });
});

import { describe, expect, it } from 'vitest';
import { isIdempotent, mayRetry, type TryFailure } from './retry-policy.js';

const opts = { maxTries: 3, budgetMs: 1_000 };

describe('retry policy', () => {
  const cases: [string, TryFailure, boolean, boolean][] = [
    // method, failure, bodyStarted, expected
    ['GET', 'connect', false, true],
    ['POST', 'connect', false, true],
    ['PATCH', 'connect', false, true],
    ['GET', 'reset', false, true],
    ['HEAD', 'timeout', false, true],
    ['PUT', 'status', false, true],
    ['DELETE', 'status', false, true],
    ['OPTIONS', 'reset', false, true],
    ['PUT', 'reset', true, false],
    ['POST', 'reset', false, false],
    ['POST', 'timeout', false, false],
    ['POST', 'status', false, false],
    ['PATCH', 'status', false, false],
  ];
  it.each(cases)('%s after %s (body started: %s) → retry %s', (method, failure, bodyStarted, expected) => {
    expect(mayRetry(failure, { method, bodyStarted, tries: 1, elapsedMs: 0 }, opts)).toBe(expected);
  });

  it('stops at max tries and after the time budget', () => {
    expect(mayRetry('connect', { method: 'GET', bodyStarted: false, tries: 3, elapsedMs: 0 }, opts)).toBe(false);
    expect(mayRetry('connect', { method: 'GET', bodyStarted: false, tries: 1, elapsedMs: 1_000 }, opts)).toBe(false);
  });

  it('knows the idempotent methods', () => {
    expect(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'].every(isIdempotent)).toBe(true);
    expect(['POST', 'PATCH', 'CONNECT'].some(isIdempotent)).toBe(false);
  });
});

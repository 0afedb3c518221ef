import { describe, expect, it } from 'vitest';
import { exitFromCode } from './exit-info.js';

describe('exitFromCode', () => {
  it.each([
    [0, { code: 0, signal: null }],
    [3, { code: 3, signal: null }],
    [128, { code: 128, signal: null }],
    [130, { code: null, signal: 'SIGINT' }],
    [137, { code: null, signal: 'SIGKILL' }],
    [143, { code: null, signal: 'SIGTERM' }],
    [255, { code: 255, signal: null }],
  ])('reads Engine exit code %i as %o', (exitCode, expected) => {
    expect(exitFromCode(exitCode, 42)).toEqual({ ...expected, at: 42 });
  });
});

import { describe, expect, it } from 'vitest';
import { parseBytes } from './bytes.js';

describe('parseBytes (docker RAMInBytes)', () => {
  it.each([
    ['1024', 1024],
    ['512b', 512],
    ['2k', 2048],
    ['512M', 536_870_912],
    ['512m', 536_870_912],
    ['2G', 2_147_483_648],
    ['1gb', 1_073_741_824],
    ['1GiB', 1_073_741_824],
    ['1.5g', 1_610_612_736],
    ['100 MB', 104_857_600],
    ['1t', 1024 ** 4],
  ])('reads %s as %d bytes', (text, bytes) => {
    expect(parseBytes(text)).toBe(bytes);
  });

  it.each(['', 'abc', '1x', '1gbb', '1mib2', '-1m', '1 2m'])('refuses %j', (text) => {
    expect(parseBytes(text)).toBeUndefined();
  });
});

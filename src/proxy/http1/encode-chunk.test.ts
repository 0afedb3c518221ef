import { describe, expect, it } from 'vitest';
import { LAST_CHUNK, encodeChunk } from './encode-chunk.js';

describe('encodeChunk', () => {
  it('writes the size in hex, the data and CRLF, without copying the data', () => {
    const data = Buffer.alloc(26, 'a');
    const parts = encodeChunk(data);
    expect(Buffer.concat(parts).toString()).toBe(`1a\r\n${'a'.repeat(26)}\r\n`);
    expect(parts[1]).toBe(data);
  });

  it('writes no chunk for empty data, as a zero-size chunk would end the body', () => {
    expect(encodeChunk(Buffer.alloc(0))).toEqual([]);
  });

  it('ends a body with the last chunk and an empty trailer section', () => {
    expect(LAST_CHUNK.toString()).toBe('0\r\n\r\n');
  });
});

import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter.js';

describe('LineSplitter', () => {
  it('splits chunks into lines, holding a partial line until the next chunk or the end', () => {
    const splitter = new LineSplitter();
    expect(splitter.push(Buffer.from('one\ntw'))).toEqual(['one']);
    expect(splitter.push(Buffer.from('o\r\nthree'))).toEqual(['two']);
    expect(splitter.flush()).toBe('three');
    expect(splitter.flush()).toBeUndefined();
  });

  it('keeps a UTF-8 character cut between chunks whole', () => {
    const bytes = Buffer.from('héllo\n');
    const splitter = new LineSplitter();
    expect(splitter.push(bytes.subarray(0, 2))).toEqual([]);
    expect(splitter.push(bytes.subarray(2))).toEqual(['héllo']);
  });

  it('cuts overlong lines', () => {
    const splitter = new LineSplitter(4);
    expect(splitter.push('abcdefghij\nxy')).toEqual(['abcd', 'efgh', 'ij']);
    expect(splitter.push('zzzz')).toEqual(['xyzz']);
    expect(splitter.flush()).toBe('zz');
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchedSink } from './batched-sink.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('BatchedSink', () => {
  it('writes the lines of one interval in one write, in order', () => {
    vi.useFakeTimers();
    const writes: string[] = [];
    const sink = new BatchedSink({ write: (text) => writes.push(text) }, { intervalMs: 50 });
    sink.write('a\n');
    sink.write('b\n');
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(50);
    expect(writes).toEqual(['a\nb\n']);
    sink.write('c\n');
    vi.advanceTimersByTime(50);
    expect(writes).toEqual(['a\nb\n', 'c\n']);
  });

  it('writes at once when the waiting text reaches maxBytes, and flush() writes the rest', () => {
    vi.useFakeTimers();
    const writes: string[] = [];
    const sink = new BatchedSink({ write: (text) => writes.push(text) }, { maxBytes: 4 });
    sink.write('ab\n');
    sink.write('cd\n');
    expect(writes).toEqual(['ab\ncd\n']);
    sink.write('e\n');
    sink.flush();
    sink.flush();
    expect(writes).toEqual(['ab\ncd\n', 'e\n']);
  });
});

import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLog } from './log-reader.js';
import { parseLogRecord, type LogRecord } from './log-record.js';
import { LogWriter } from './log-writer.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'berth-logs-'));
  file = path.join(dir, 'logs', 'replica.log');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function collect(iterable: AsyncIterable<LogRecord>): Promise<string[]> {
  const out: string[] = [];
  for await (const record of iterable) out.push(record.m);
  return out;
}

describe('LogWriter', () => {
  it('writes one JSON object per line with time, stream and text', () => {
    const writer = new LogWriter({ file });
    writer.write('o', 'hello "world"', 1000);
    writer.write('e', 'oops', 2000);
    writer.close();
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines.map(parseLogRecord)).toEqual([{ t: 1000, s: 'o', m: 'hello "world"' }, { t: 2000, s: 'e', m: 'oops' }]);
  });

  it('rotates by size and keeps at most maxFiles files', () => {
    const writer = new LogWriter({ file, maxBytes: 200, maxFiles: 3 });
    for (let i = 0; i < 100; i += 1) writer.write('o', `line ${i}`, i);
    writer.close();
    expect([file, `${file}.1`, `${file}.2`].every(existsSync)).toBe(true);
    expect(existsSync(`${file}.3`)).toBe(false);
    for (const f of [file, `${file}.1`, `${file}.2`]) expect(readFileSync(f).length).toBeLessThanOrEqual(200);
    writer.delete();
    expect([file, `${file}.1`, `${file}.2`].some(existsSync)).toBe(false);
  });
});

describe('readLog', () => {
  it('reads across rotated files in order, with tail and since', async () => {
    const writer = new LogWriter({ file, maxBytes: 200, maxFiles: 3 });
    for (let i = 0; i < 100; i += 1) writer.write('o', `line ${i}`, i);
    writer.close();
    const all = await collect(readLog({ file, maxFiles: 3, follow: false }));
    expect(all.length).toBeGreaterThan(6);
    expect(all[all.length - 1]).toBe('line 99');
    const numbers = all.map((m) => Number(m.split(' ')[1]));
    expect(numbers).toEqual(numbers.map((_, i) => (numbers[0] as number) + i));
    expect(await collect(readLog({ file, maxFiles: 3, follow: false, tail: 3 }))).toEqual(['line 97', 'line 98', 'line 99']);
    expect(await collect(readLog({ file, maxFiles: 3, follow: false, since: 98 }))).toEqual(['line 98', 'line 99']);
    expect(await collect(readLog({ file, maxFiles: 3, follow: false, tail: 0 }))).toEqual([]);
  });

  it('skips lines that are not records and reads nothing from a missing file', async () => {
    const writer = new LogWriter({ file });
    writer.write('o', 'good', 1);
    writer.close();
    appendFileSync(file, '{"t":2,"s":"o","m":"cut by a cra');
    expect(await collect(readLog({ file, follow: false }))).toEqual(['good']);
    expect(await collect(readLog({ file: path.join(dir, 'none.log'), follow: false }))).toEqual([]);
  });

  it('follows appended lines across a rotation until finished', async () => {
    const listeners = new Set<() => void>();
    let finished = false;
    const writer = new LogWriter({ file, maxBytes: 150, maxFiles: 2, onAppend: () => listeners.forEach((l) => l()) });
    writer.write('o', 'before', 1);
    const seen: string[] = [];
    const reading = (async () => {
      for await (const record of readLog({
        file, maxFiles: 2, follow: true, finished: () => finished, pollMs: 5000,
        subscribe: (wake) => {
          listeners.add(wake);
          return () => listeners.delete(wake);
        },
      })) {
        seen.push(record.m);
        // One line per line read: every rotation happens while the reader holds the file it rotates away.
        if (record.m === 'before') writer.write('o', 'after 0', 2);
        const n = Number(record.m.split(' ')[1]);
        if (n >= 0 && n < 9) writer.write('o', `after ${n + 1}`, 3 + n);
        if (record.m === 'after 9') {
          finished = true;
          writer.write('o', 'last', 20);
        }
      }
    })();
    await reading;
    expect(seen).toEqual(['before', ...Array.from({ length: 10 }, (_, i) => `after ${i}`), 'last']);
    writer.close();
  });

  it('stops following when the signal aborts, and picks up a file that appears later', async () => {
    const abort = new AbortController();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const record of readLog({ file, follow: true, signal: abort.signal, pollMs: 10 })) {
        seen.push(record.m);
        abort.abort();
      }
    })();
    const writer = new LogWriter({ file });
    writer.write('o', 'late', 1);
    await reading;
    expect(seen).toEqual(['late']);
    writer.close();
  });
});

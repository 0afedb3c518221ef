import { describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../../log/logger.js';
import type { RequestRecord } from './observers.js';
import { RecordListeners } from './record-listeners.js';

const record = (path: string): RequestRecord => ({
  requestId: 'r', clientIp: '::1', method: 'GET', host: 'h', path, route: undefined, status: 200,
  durationMs: 1, upstream: undefined, tries: 1, bytesIn: 0, bytesOut: 0,
});

describe('RecordListeners', () => {
  it('tells every listener in subscription order; a listener that throws is logged and keeps its place', () => {
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (message) => warnings.push(message) };
    const listeners = new RecordListeners(log);
    const seen: string[] = [];
    listeners.add((r) => seen.push(`a${r.path}`));
    listeners.add(() => {
      throw new Error('listener bug');
    });
    listeners.add((r) => seen.push(`c${r.path}`));
    listeners.onRequestDone(record('/1'));
    listeners.onRequestDone(record('/2'));
    expect(seen).toEqual(['a/1', 'c/1', 'a/2', 'c/2']);
    expect(warnings).toEqual(['request record listener failed', 'request record listener failed']);
  });

  it('unsubscribes only the listener it was returned for, even when the same function was added twice', () => {
    const listeners = new RecordListeners(silentLogger);
    const seen: string[] = [];
    const listener = (r: RequestRecord): void => void seen.push(r.path);
    const stop = listeners.add(listener);
    listeners.add(listener);
    stop();
    stop();
    listeners.onRequestDone(record('/x'));
    expect(seen).toEqual(['/x']);
  });

  it('lets a listener unsubscribe itself while a record is being delivered', () => {
    const listeners = new RecordListeners(silentLogger);
    const seen: string[] = [];
    const stop = listeners.add((r) => {
      seen.push(`once${r.path}`);
      stop();
    });
    listeners.add((r) => seen.push(`always${r.path}`));
    listeners.onRequestDone(record('/1'));
    listeners.onRequestDone(record('/2'));
    expect(seen).toEqual(['once/1', 'always/1', 'always/2']);
  });
});

import { describe, expect, it } from 'vitest';
import { EventHub } from './event-hub.js';

async function take<T>(iterable: AsyncIterable<T>, count: number): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) {
    out.push(item);
    if (out.length === count) break;
  }
  return out;
}

describe('EventHub', () => {
  it('delivers every event to every subscriber, from the moment it subscribed', async () => {
    const hub = new EventHub<number>();
    const abort = new AbortController();
    const early = hub.subscribe(abort.signal);
    hub.emit(1);
    const late = hub.subscribe(abort.signal);
    hub.emit(2);
    hub.emit(3);
    expect(await take(early, 3)).toEqual([1, 2, 3]);
    expect(await take(late, 2)).toEqual([2, 3]);
  });

  it('ends a subscription when its signal aborts or the hub closes, after what was queued', async () => {
    const hub = new EventHub<string>();
    const abort = new AbortController();
    const one = hub.subscribe(abort.signal);
    const two = hub.subscribe(new AbortController().signal);
    hub.emit('a');
    abort.abort();
    hub.emit('b');
    expect(await take(one, 10)).toEqual(['a']);
    const pending = take(two, 10);
    hub.close();
    expect(await pending).toEqual(['a', 'b']);
    expect(await take(hub.subscribe(new AbortController().signal), 1)).toEqual([]);
  });
});

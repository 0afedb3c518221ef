/**
 * Fan-out of runtime events to any number of subscribers. Each subscriber gets its own unbounded queue from the
 * moment it subscribes (not from its first `next()`), so an event emitted in between is not lost. A subscription
 * ends when its signal aborts, when the consumer stops iterating, or when the hub closes.
 */
export class EventHub<T> {
  private readonly queues = new Set<PushQueue<T>>();
  private closed = false;

  subscribe(signal: AbortSignal): AsyncIterable<T> {
    const queue = new PushQueue<T>(() => this.queues.delete(queue));
    if (this.closed || signal.aborted) queue.end();
    else {
      this.queues.add(queue);
      signal.addEventListener('abort', () => queue.end(), { once: true });
    }
    return queue;
  }

  emit(event: T): void {
    for (const queue of this.queues) queue.push(event);
  }

  close(): void {
    this.closed = true;
    for (const queue of [...this.queues]) queue.end();
  }
}

/** A single-consumer async queue: `push` never blocks; `end` lets the consumer finish what is queued. */
export class PushQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private ended = false;

  constructor(private readonly onEnd: () => void = () => undefined) {}

  push(item: T): void {
    if (this.ended) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: item, done: false });
    } else this.items.push(item);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) return Promise.resolve({ value: this.items.shift() as T, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

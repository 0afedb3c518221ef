/**
 * A one-consumer queue that a stream's callbacks push into and an async generator drains: the bridge between
 * Node streams (Engine logs, exec output) and `AsyncIterable`. It buffers without bound; its producers are bounded
 * by the Engine stream they read.
 */
export class AsyncQueue<T> {
  private readonly items: T[] = [];
  private done = false;
  private failure: { error: unknown } | undefined;
  private wake: (() => void) | undefined;

  push(item: T): void {
    this.items.push(item);
    this.notify();
  }

  /** Ends the iteration after what is queued. */
  end(): void {
    this.done = true;
    this.notify();
  }

  /** Ends the iteration with an error after what is queued. */
  fail(error: unknown): void {
    this.failure ??= { error };
    this.end();
  }

  async *drain(): AsyncGenerator<T> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.failure) throw this.failure.error;
      if (this.done) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

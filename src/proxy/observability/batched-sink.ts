/*
 * A LineSink that gathers lines and hands them to a stream in batches: one write per `intervalMs` (or per
 * `maxBytes`) instead of one per request, which at thousands of requests a second is most of what logging costs.
 * A line reaches the file at most `intervalMs` late; `flush()` writes what is waiting now (before closing).
 */
import type { LineSink } from './access-log.js';

export interface BatchedSinkOptions {
  /** Longest a line waits; default 50 ms. */
  readonly intervalMs?: number;
  /** Waiting text that is written at once; default 64 KiB. */
  readonly maxBytes?: number;
}

export class BatchedSink implements LineSink {
  private pending = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly intervalMs: number;
  private readonly maxBytes: number;

  constructor(
    private readonly out: { write(text: string): unknown },
    options: BatchedSinkOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 50;
    this.maxBytes = options.maxBytes ?? 64 * 1024;
  }

  write(line: string): void {
    this.pending += line;
    if (this.pending.length >= this.maxBytes) this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), this.intervalMs);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    this.out.write(text);
  }
}

import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { delay } from '../spawn/process-group.js';
import { LineSplitter } from './line-splitter.js';
import { parseLogRecord, rotatedFiles, type LogRecord } from './log-record.js';
import { DEFAULT_LOG_MAX_FILES } from './log-writer.js';

export interface ReadLogOptions {
  readonly file: string;
  readonly maxFiles?: number;
  /** Only records at or after this time (ms since epoch). */
  readonly since?: number;
  /** Only the last N records before following. */
  readonly tail?: number;
  readonly follow: boolean;
  readonly signal?: AbortSignal;
  /** In-process append notifications (from LogWriter.onAppend): wake at once instead of at the next poll. */
  readonly subscribe?: (wake: () => void) => () => void;
  /** True once nothing more will be written: a follow ends after it has read everything up to that point. */
  readonly finished?: () => boolean;
  /** How often a follower looks for new data without a notification (writers in other processes). */
  readonly pollMs?: number;
}

const CHUNK = 64 * 1024;

/**
 * Reads a replica's log across its rotated files, oldest first; with `follow`, keeps reading what is appended
 * (surviving rotation: the open file is drained before switching to the new one) until `finished()` or abort.
 */
export async function* readLog(options: ReadLogOptions): AsyncGenerator<LogRecord> {
  const current = openCurrent(options.file);
  const history = readHistory(options, current);
  for (const record of history) yield record;
  if (!options.follow) {
    current.close();
    return;
  }
  yield* follow(options, current);
}

/** The file being written, read through one descriptor so that a rotation does not lose what follows. */
class OpenLog {
  private splitter = new LineSplitter(Number.MAX_SAFE_INTEGER);
  private offset = 0;

  constructor(readonly file: string, private fd: number | undefined) {}

  /** Complete lines appended since the last call. */
  readNew(): string[] {
    if (this.fd === undefined) return [];
    const lines: string[] = [];
    const buffer = Buffer.alloc(CHUNK);
    for (;;) {
      const n = readSync(this.fd, buffer, 0, CHUNK, this.offset);
      if (n === 0) return lines;
      this.offset += n;
      lines.push(...this.splitter.push(buffer.subarray(0, n)));
    }
  }

  /** Whether the path now names another file (rotated) or appeared since we looked. */
  replaced(): boolean {
    const ino = inode(this.file);
    if (ino === undefined) return false;
    return this.fd === undefined || fstatSync(this.fd).ino !== ino;
  }

  reopen(): void {
    this.close();
    this.fd = tryOpen(this.file);
    this.offset = 0;
    this.splitter = new LineSplitter(Number.MAX_SAFE_INTEGER);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function openCurrent(file: string): OpenLog {
  return new OpenLog(file, tryOpen(file));
}

function readHistory(options: ReadLogOptions, current: OpenLog): LogRecord[] {
  const keep = (r: LogRecord | undefined): r is LogRecord => r !== undefined && (options.since === undefined || r.t >= options.since);
  let records = current.readNew().map(parseLogRecord).filter(keep);
  const older = rotatedFiles(options.file, options.maxFiles ?? DEFAULT_LOG_MAX_FILES).slice(0, -1).reverse();
  for (const file of older) {
    if (options.tail !== undefined && records.length >= options.tail) break;
    records = [...readWholeFile(file).map(parseLogRecord).filter(keep), ...records];
  }
  return options.tail === undefined ? records : options.tail <= 0 ? [] : records.slice(-options.tail);
}

async function* follow(options: ReadLogOptions, log: OpenLog): AsyncGenerator<LogRecord> {
  let woken = false;
  let wake: (() => void) | undefined;
  const unsubscribe = options.subscribe?.(() => {
    woken = true;
    wake?.();
  });
  try {
    while (!options.signal?.aborted) {
      const finished = options.finished?.() ?? false;
      for (const record of drain(log, options.since)) yield record;
      if (finished) return;
      if (woken) {
        woken = false;
        continue;
      }
      const waker = new AbortController();
      wake = () => waker.abort();
      const onAbort = (): void => waker.abort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      await delay(options.pollMs ?? 250, waker.signal);
      options.signal?.removeEventListener('abort', onAbort);
      wake = undefined;
      woken = false;
    }
  } finally {
    unsubscribe?.();
    log.close();
  }
}

function drain(log: OpenLog, since: number | undefined): LogRecord[] {
  const out: LogRecord[] = [];
  const take = (lines: string[]): void => {
    for (const line of lines) {
      const record = parseLogRecord(line);
      if (record && (since === undefined || record.t >= since)) out.push(record);
    }
  };
  take(log.readNew());
  if (log.replaced()) {
    take(log.readNew());
    log.reopen();
    take(log.readNew());
  }
  return out;
}

function readWholeFile(file: string): string[] {
  const fd = tryOpen(file);
  if (fd === undefined) return [];
  const log = new OpenLog(file, fd);
  try {
    return log.readNew();
  } finally {
    log.close();
  }
}

function tryOpen(file: string): number | undefined {
  try {
    return openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function inode(file: string): number | undefined {
  try {
    return statSync(file).ino;
  } catch {
    return undefined;
  }
}

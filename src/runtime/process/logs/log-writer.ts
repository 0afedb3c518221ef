import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { formatLogRecord, type LogRecord } from './log-record.js';

export interface LogWriterOptions {
  readonly file: string;
  /** Rotate once the current file reaches this size. */
  readonly maxBytes?: number;
  /** Files kept in all, the current one included (`<file>`, `<file>.1`, `<file>.2` for 3). */
  readonly maxFiles?: number;
  /** Called after each write, so that followers in this process wake at once instead of at their next poll. */
  readonly onAppend?: () => void;
}

export const DEFAULT_LOG_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_LOG_MAX_FILES = 3;

/**
 * Appends JSON-lines records to a replica's log file and rotates it by size (`<file>` → `<file>.1` → … , the
 * oldest dropped). Writes are synchronous appends of whole lines, so a reader never sees half a record unless
 * the process dies mid-write; readers skip such a line. Not safe for two writers on one file.
 */
export class LogWriter {
  readonly file: string;
  private readonly maxBytes: number;
  private readonly maxFiles: number;
  private fd: number | undefined;
  private size = 0;

  constructor(private readonly options: LogWriterOptions) {
    this.file = options.file;
    this.maxBytes = options.maxBytes ?? DEFAULT_LOG_MAX_BYTES;
    this.maxFiles = Math.max(1, options.maxFiles ?? DEFAULT_LOG_MAX_FILES);
  }

  write(stream: LogRecord['s'], text: string, time = Date.now()): void {
    this.writeRecords([{ t: time, s: stream, m: text }]);
  }

  /** Writes several records in one system call (one chunk of output is usually several lines). */
  writeRecords(records: readonly LogRecord[]): void {
    if (records.length === 0) return;
    const data = Buffer.from(records.map(formatLogRecord).join(''), 'utf8');
    if (this.size > 0 && this.size + data.length > this.maxBytes) this.rotate();
    const fd = this.open();
    writeSync(fd, data);
    this.size += data.length;
    this.options.onAppend?.();
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  /** Deletes the log and its rotated files. */
  delete(): void {
    this.close();
    for (let n = 0; n < this.maxFiles; n += 1) rmSync(n === 0 ? this.file : `${this.file}.${n}`, { force: true });
  }

  private open(): number {
    if (this.fd !== undefined) return this.fd;
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    this.fd = openSync(this.file, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
    return this.fd;
  }

  private rotate(): void {
    this.close();
    rmSync(`${this.file}.${this.maxFiles - 1}`, { force: true });
    for (let n = this.maxFiles - 2; n >= 0; n -= 1) {
      const from = n === 0 ? this.file : `${this.file}.${n}`;
      try {
        renameSync(from, `${this.file}.${n + 1}`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    if (this.maxFiles === 1) rmSync(this.file, { force: true });
    this.size = 0;
  }
}

/**
 * One line of a replica log file: `{"t":<ms since epoch>,"s":"o"|"e","m":"<text>"}`, one JSON object per line.
 * `s` is the stream: `o` stdout, `e` stderr.
 */
export interface LogRecord {
  readonly t: number;
  readonly s: 'o' | 'e';
  readonly m: string;
}

export function formatLogRecord(record: LogRecord): string {
  return `${JSON.stringify({ t: record.t, s: record.s, m: record.m })}\n`;
}

/** Parses one line of a log file; undefined for a line that is not a record (e.g. cut by a crash mid-write). */
export function parseLogRecord(line: string): LogRecord | undefined {
  if (line === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { t, s, m } = value as Record<string, unknown>;
  if (typeof t !== 'number' || (s !== 'o' && s !== 'e') || typeof m !== 'string') return undefined;
  return { t, s, m };
}

/** The files of one log, oldest first: `<file>.<n>` … `<file>.1`, then `<file>` (the one being written). */
export function rotatedFiles(file: string, maxFiles: number): string[] {
  const out: string[] = [];
  for (let n = maxFiles - 1; n >= 1; n -= 1) out.push(`${file}.${n}`);
  out.push(file);
  return out;
}

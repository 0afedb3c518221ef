import { StringDecoder } from 'node:string_decoder';

/** Longest line kept whole; longer output is cut into lines of this size (Docker cuts at 16 KiB too). */
export const MAX_LINE_CHARS = 16 * 1024;

/**
 * Splits a byte stream into text lines. UTF-8 sequences cut between chunks are kept whole; `\r\n` endings lose
 * the `\r`; a partial last line is held until more data comes or `flush()` is called (at end of stream).
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(private readonly maxLine = MAX_LINE_CHARS) {}

  push(chunk: Buffer | string): string[] {
    const text = this.pending + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const parts = text.split('\n');
    this.pending = parts.pop() ?? '';
    const lines = parts.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
    while (this.pending.length >= this.maxLine) {
      lines.push(this.pending.slice(0, this.maxLine));
      this.pending = this.pending.slice(this.maxLine);
    }
    return lines.flatMap((line) => this.cut(line));
  }

  /** The held partial line, if any (call once, when the stream ends). */
  flush(): string | undefined {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    return rest === '' ? undefined : rest;
  }

  private cut(line: string): string[] {
    if (line.length <= this.maxLine) return [line];
    const out: string[] = [];
    for (let i = 0; i < line.length; i += this.maxLine) out.push(line.slice(i, i + this.maxLine));
    return out;
  }
}

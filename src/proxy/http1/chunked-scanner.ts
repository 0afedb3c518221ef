import { COLON, CR, FIELD_CHAR, HEX_VALUE, LF, TOKEN } from './char-classes.js';

/** Where the scanner is in the chunked body (RFC 9112 §7.1). States up to SIZE_LF are in the size line. */
const SIZE_START = 0; // first HEXDIG of a chunk-size
const SIZE = 1; // more HEXDIG, `;` or CR
const EXT_NAME_START = 2; // first char of a chunk-ext-name, after `;`
const EXT_NAME = 3; // more of the name, `=`, `;` or CR
const EXT_VALUE_START = 4; // a token or a quoted-string, after `=`
const EXT_VALUE = 5; // more of a token value, `;` or CR
const EXT_QUOTED = 6; // inside a quoted-string
const EXT_QUOTED_PAIR = 7; // after a backslash in a quoted-string
const EXT_QUOTED_END = 8; // `;` or CR after a quoted-string
const SIZE_LF = 9; // LF ending the size line
const DATA = 10; // chunk-data
const DATA_CR = 11; // CR after chunk-data
const DATA_LF = 12; // LF after chunk-data
const TRAILER_START = 13; // a trailer field line or the final CRLF
const TRAILER_NAME = 14; // field-name until `:`
const TRAILER_VALUE = 15; // field-value until CR
const TRAILER_LF = 16; // LF ending a trailer line
const FINAL_LF = 17; // LF of the final CRLF
const DONE = 18;
const FAILED = 19;

const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Options of a ChunkedScanner. */
export interface ChunkedScannerOptions {
  /** Most bytes of a size line, chunk extensions and CRLF included (default 4096). */
  readonly maxLineBytes?: number;
  /** Most bytes of the trailer section, final CRLF included (default 16384). */
  readonly maxTrailerBytes?: number;
}

/**
 * An incremental, strict validator of one chunked body (RFC 9112 §7.1), for a proxy that forwards the bytes
 * verbatim or decodes them. Strict like llhttp: chunk-size is 1*HEXDIG with no whitespace around it and at most
 * Number.MAX_SAFE_INTEGER; every line ends with CRLF (bare CR or LF → error); chunk-data is followed by CRLF
 * exactly; extensions are checked (`;name`, `;name=token`, `;name="quoted"`, no whitespace) and skipped, within
 * maxLineBytes; trailer lines are field lines (token name, `:` directly after it, no obs-fold, no CTL but HTAB)
 * within maxTrailerBytes. Its state survives calls split at any byte. It does not interpret extensions or trailers,
 * nor limit the body size (read `dataBytes`).
 */
export class ChunkedScanner {
  private state = SIZE_START;
  private remaining = 0;
  private lineBytes = 0;
  private trailerBytes = 0;
  private data = 0;
  private failure: string | undefined;
  private readonly maxLineBytes: number;
  private readonly maxTrailerBytes: number;

  constructor(options?: ChunkedScannerOptions) {
    this.maxLineBytes = options?.maxLineBytes ?? 4096;
    this.maxTrailerBytes = options?.maxTrailerBytes ?? 16384;
  }

  /** Payload bytes seen so far (for body size limits). */
  get dataBytes(): number {
    return this.data;
  }

  /** Why the body is malformed, once scan has returned -2. */
  get error(): string | undefined {
    return this.failure;
  }

  /** Whether the whole body, final CRLF included, has been seen. */
  get done(): boolean {
    return this.state === DONE;
  }

  /**
   * Scans buf[start, end). Returns: the offset just after the last byte of the chunked body (the final CRLF after
   * the last chunk and trailers) when it ends inside this range; -1 when more bytes are needed (all given bytes
   * belong to the body); -2 on malformed input (see `error`). `onData`, when given, is called with each slice of
   * payload data (not sizes, extensions, CRLFs or trailers) in order. Once done, returns `start` (no byte belongs
   * to the body); once failed, returns -2.
   */
  scan(buf: Buffer, start: number, end: number, onData?: (buf: Buffer, start: number, end: number) => void): number {
    if (this.state === DONE) return start;
    if (this.state === FAILED) return -2;
    let i = start;
    while (i < end) {
      if (this.state === DATA) {
        const n = Math.min(this.remaining, end - i);
        if (onData !== undefined) onData(buf, i, i + n);
        i += n;
        this.remaining -= n;
        this.data += n;
        if (this.remaining === 0) this.state = DATA_CR;
        continue;
      }
      const c = buf[i++] as number;
      if (this.state <= SIZE_LF) {
        if (++this.lineBytes > this.maxLineBytes) return this.fail('chunk size line too long');
        if (!this.sizeLine(c)) return -2;
      } else if (this.state <= DATA_LF) {
        if (!this.afterData(c)) return -2;
      } else {
        if (++this.trailerBytes > this.maxTrailerBytes) return this.fail('trailer section too large');
        if (!this.trailer(c)) return -2;
        if (this.state === DONE) return i;
      }
    }
    return -1;
  }

  private sizeLine(c: number): boolean {
    switch (this.state) {
      case SIZE_START: {
        const d = HEX_VALUE[c] as number;
        if (d < 0) return this.refuse('invalid chunk size');
        this.remaining = d;
        this.state = SIZE;
        return true;
      }
      case SIZE: {
        const d = HEX_VALUE[c] as number;
        if (d >= 0) {
          if (this.remaining > (Number.MAX_SAFE_INTEGER - d) / 16) return this.refuse('chunk size too large');
          this.remaining = this.remaining * 16 + d;
          return true;
        }
        if (c === SEMICOLON) this.state = EXT_NAME_START;
        else if (c === CR) this.state = SIZE_LF;
        else return this.refuse('invalid chunk size');
        return true;
      }
      case SIZE_LF:
        if (c !== LF) return this.refuse('bare CR in a chunk size line');
        this.lineBytes = 0;
        this.state = this.remaining === 0 ? TRAILER_START : DATA;
        return true;
      default:
        return this.extension(c);
    }
  }

  /** chunk-ext = *( ";" token [ "=" ( token / quoted-string ) ] ), with no whitespace anywhere (as llhttp). */
  private extension(c: number): boolean {
    switch (this.state) {
      case EXT_NAME_START:
        if (TOKEN[c] !== 1) return this.refuse('invalid chunk extension');
        this.state = EXT_NAME;
        return true;
      case EXT_NAME:
      case EXT_VALUE:
        if (TOKEN[c] === 1) return true;
        if (c === EQUALS && this.state === EXT_NAME) this.state = EXT_VALUE_START;
        else return this.endOfExtension(c);
        return true;
      case EXT_VALUE_START:
        if (c === DQUOTE) this.state = EXT_QUOTED;
        else if (TOKEN[c] === 1) this.state = EXT_VALUE;
        else return this.refuse('invalid chunk extension value');
        return true;
      case EXT_QUOTED:
        if (c === DQUOTE) this.state = EXT_QUOTED_END;
        else if (c === BACKSLASH) this.state = EXT_QUOTED_PAIR;
        else if (FIELD_CHAR[c] !== 1) return this.refuse('invalid chunk extension value');
        return true;
      case EXT_QUOTED_PAIR:
        if (FIELD_CHAR[c] !== 1) return this.refuse('invalid chunk extension value');
        this.state = EXT_QUOTED;
        return true;
      default: // EXT_QUOTED_END
        return this.endOfExtension(c);
    }
  }

  /** After an extension: another one, or the CR of the size line. */
  private endOfExtension(c: number): boolean {
    if (c === SEMICOLON) this.state = EXT_NAME_START;
    else if (c === CR) this.state = SIZE_LF;
    else return this.refuse('invalid chunk extension');
    return true;
  }

  private afterData(c: number): boolean {
    if (this.state === DATA_CR) {
      if (c !== CR) return this.refuse('chunk data not followed by CRLF');
      this.state = DATA_LF;
      return true;
    }
    if (c !== LF) return this.refuse('chunk data not followed by CRLF');
    this.state = SIZE_START;
    return true;
  }

  private trailer(c: number): boolean {
    switch (this.state) {
      case TRAILER_START:
        if (c === CR) this.state = FINAL_LF;
        else if (TOKEN[c] === 1) this.state = TRAILER_NAME;
        else return this.refuse('invalid trailer line');
        return true;
      case TRAILER_NAME:
        if (c === COLON) this.state = TRAILER_VALUE;
        else if (TOKEN[c] !== 1) return this.refuse('invalid trailer field name');
        return true;
      case TRAILER_VALUE:
        if (c === CR) this.state = TRAILER_LF;
        else if (FIELD_CHAR[c] !== 1) return this.refuse('invalid trailer field value');
        return true;
      case TRAILER_LF:
        if (c !== LF) return this.refuse('bare CR in the trailer section');
        this.state = TRAILER_START;
        return true;
      default: // FINAL_LF
        if (c !== LF) return this.refuse('bare CR at the end of the chunked body');
        this.state = DONE;
        return true;
    }
  }

  private refuse(reason: string): false {
    this.fail(reason);
    return false;
  }

  private fail(reason: string): -2 {
    this.state = FAILED;
    this.failure = reason;
    return -2;
  }
}

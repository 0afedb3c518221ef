import { BerthError, type SourcePosition, type Warning } from '../errors.js';
import { unsetVariableWarning } from './interpolate.js';
import { interpolateString } from './interpolation-template.js';

/** One variable read from an env file; `source` is where its name is. */
export interface DotenvEntry {
  readonly key: string;
  readonly value: string;
  readonly source: SourcePosition;
}

/** Resolves a name from outside the file (the shell, earlier env files); `undefined` = not set. */
export type DotenvLookup = (name: string) => string | undefined;

/** How `${VAR}` in values is resolved, and where warnings about unset variables go. */
export interface DotenvOptions {
  readonly lookup?: DotenvLookup;
  /** Receives the `The "X" variable is not set` warnings of `${X}` uses in values (one per name and message). */
  readonly warnings?: Warning[];
}

/**
 * Parses an env file as docker compose v2 reads it (compose-go's `dotenv` package):
 * - `KEY=value`, `KEY: value`, `export KEY=value`; blank lines and `#` comment lines are skipped; a leading BOM is
 *   ignored. A name is letters, digits, `_ . - [ ]` (so `1ABC` is accepted, as in compose).
 * - unquoted values are trimmed and end at the line's end or at ` #` (a `#` right after a non-space stays).
 * - 'single quotes' are literal except `\'`; "double quotes" may span lines and understand \n \t \r \" \\ \$ and the
 *   other shell escapes. After a closing quote, reading goes on with what follows on the same line, as in compose.
 * - `${VAR}`, `$VAR` and the `${VAR:-default}` family are expanded in unquoted and double-quoted values (`\$` and
 *   `$$` give a literal `$`); a name resolves against `lookup` first, then against the earlier keys of this file —
 *   compose's order, so the shell wins over the file here too.
 * - `KEY` alone takes its value from `lookup` and is left out when that has none. compose-go drops a last line
 *   `KEY` without a newline into an unnamed variable; it is read as inherited here, and entries with an empty
 *   name (`=value`) are dropped — neither can be referenced in compose either.
 *
 * Returns one entry per key in the order of their last definition (a later line replaces an earlier one). Throws a
 * BerthError (SPEC_DOTENV, or SPEC_INTERPOLATION for a failing `${...}`) at the first problem, with file:line:column.
 * It does not merge with the shell environment: callers decide precedence.
 */
export function parseDotenv(text: string, file: string, options: DotenvLookup | DotenvOptions = {}): DotenvEntry[] {
  const { lookup, warnings } = typeof options === 'function' ? { lookup: options, warnings: undefined } : options;
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  return new DotenvParser(source, file, lookup ?? (() => undefined), warnings).parse();
}

const VALID_KEY_CHAR = /^[\p{L}\p{N}_.\-[\]]$/u;
const EXPORT_PREFIX = /^export[\t\n\f\r ]/;
const ESCAPE_SEQUENCE = /\\(?:[abcfnrtv$"\\]|0\d{0,3})/g;

class DotenvParser {
  private pos = 0;
  private readonly values = new Map<string, DotenvEntry>();
  private readonly lineStarts: number[] = [0];

  constructor(
    private readonly src: string,
    private readonly file: string,
    private readonly lookup: DotenvLookup,
    private readonly warnings: Warning[] | undefined,
  ) {
    for (let i = src.indexOf('\n'); i !== -1; i = src.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  parse(): DotenvEntry[] {
    while (this.nextStatement()) this.statement();
    return [...this.values.values()];
  }

  /** Skips whitespace, line breaks and comment lines; false at the end of the file. */
  private nextStatement(): boolean {
    for (;;) {
      while (this.pos < this.src.length && isGoSpace(this.src.charAt(this.pos))) this.pos++;
      if (this.pos >= this.src.length) return false;
      if (this.src[this.pos] !== '#') return true;
      const newline = this.src.indexOf('\n', this.pos);
      if (newline === -1) return false;
      this.pos = newline;
    }
  }

  private statement(): void {
    if (EXPORT_PREFIX.test(this.src.slice(this.pos, this.pos + 7))) {
      this.pos += 'export'.length;
      this.skipSpaces();
    }
    const keyStart = this.pos;
    const { key, inherited } = this.key();
    const at = this.position(keyStart);
    if (inherited) {
      const value = this.lookup(key);
      if (value !== undefined && key !== '') this.define({ key, value, source: at });
      return;
    }
    this.skipSpaces();
    const value = this.src[this.pos] === '"' || this.src[this.pos] === "'" ? this.quoted(key) : this.unquoted();
    if (key !== '') this.define({ key, value, source: at });
  }

  /** Reads a name up to `=`, `:` or the end of the line (inherited); leaves `pos` after the terminator. */
  private key(): { key: string; inherited: boolean } {
    const start = this.pos;
    while (this.pos < this.src.length) {
      const here = this.pos;
      const char = String.fromCodePoint(this.src.codePointAt(here) ?? 0);
      this.pos += char.length;
      if (char === '=' || char === ':' || char === '\n') {
        return { key: this.checkedKey(start, here), inherited: char === '\n' };
      }
      if (isSpace(char) || VALID_KEY_CHAR.test(char)) continue;
      const name = this.src.slice(start).split(/[=:\n]/, 1)[0]?.trimEnd() ?? '';
      throw this.error(here, `unexpected character ${JSON.stringify(char)} in variable name ${JSON.stringify(name)}`,
        'a variable name may contain letters, digits, "_", ".", "-", "[" and "]"; write KEY=value, one per line');
    }
    return { key: this.checkedKey(start, this.pos), inherited: true };
  }

  private checkedKey(start: number, end: number): string {
    const key = this.src.slice(start, end).replace(/[\s\u0085]+$/u, '');
    if (/[\s\u0085]/u.test(key)) {
      throw this.error(start, `variable name ${JSON.stringify(key)} cannot contain a space`,
        'write KEY=value with a name made of letters, digits and "_"; quote the value, not the name');
    }
    return key;
  }

  private unquoted(): string {
    const start = this.pos;
    const newline = this.src.indexOf('\n', start);
    const lineEnd = newline === -1 ? this.src.length : newline;
    this.pos = newline === -1 ? lineEnd : newline + 1;
    const comment = this.src.slice(start, lineEnd).indexOf(' #');
    const raw = this.src.slice(start, comment === -1 ? lineEnd : start + comment).replace(/[\s\u0085]+$/u, '');
    return this.expand(raw, (offset) => start + offset);
  }

  private quoted(key: string): string {
    const open = this.pos;
    const quote = this.src.charAt(open);
    let raw = '';
    let escaped = false;
    for (let i = open + 1; i < this.src.length; i++) {
      const char = this.src.charAt(i);
      if (escaped) {
        escaped = false;
        raw += char === quote ? char : `\\${char}`; // only an escaped quote loses its backslash here
      } else if (char === '\\') {
        escaped = true;
      } else if (char === quote) {
        this.pos = i + 1;
        return quote === "'" ? raw : this.expand(expandEscapes(raw), () => open);
      } else {
        raw += char;
      }
    }
    throw this.error(open, `unterminated quoted value for ${key || 'a variable'}: the ${quote} is never closed`,
      `end the value with ${quote} (a quoted value may span lines; write a ${quote} inside it as \\${quote})`);
  }

  private expand(raw: string, offsetAt: (offset: number) => number): string {
    if (!raw.includes('$')) return raw;
    const result = interpolateString(raw, (name) => this.lookup(name) ?? this.values.get(name)?.value);
    for (const unset of result.unset) {
      const message = unsetVariableWarning(unset.name);
      if (this.warnings && !this.warnings.some((warning) => warning.message === message)) {
        this.warnings.push({ message, source: this.position(offsetAt(unset.offset)) });
      }
    }
    if (result.ok) return result.value;
    const at = this.position(offsetAt(result.failure.offset));
    throw new BerthError('SPEC_INTERPOLATION', result.failure.message, { source: at, hint: result.failure.hint });
  }

  private define(entry: DotenvEntry): void {
    this.values.delete(entry.key);
    this.values.set(entry.key, entry);
  }

  private skipSpaces(): void {
    while (this.pos < this.src.length && isSpace(this.src.charAt(this.pos))) this.pos++;
  }

  private position(offset: number): SourcePosition {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return { file: this.file, line: low + 1, column: offset - (this.lineStarts[low] ?? 0) + 1 };
  }

  private error(offset: number, message: string, hint: string): BerthError {
    return new BerthError('SPEC_DOTENV', message, { source: this.position(offset), hint });
  }
}

/**
 * The escapes of a double-quoted value, as compose decodes them: \a \b \f \n \r \t \v \" \\, `\0ooo` octal, and
 * `\$` which becomes `$$` so that expansion then yields a literal `$`. Any other backslash stays as written.
 */
function expandEscapes(value: string): string {
  return value.replace(ESCAPE_SEQUENCE, (match) => {
    if (match === '\\$') return '$$';
    const simple = SIMPLE_ESCAPES[match.charAt(1)];
    if (simple !== undefined) return simple;
    if (match === '\\c') return match;
    const digits = match.slice(2); // `\0ooo`: compose drops the 0 and reads exactly three octal digits
    const code = /^[0-7]{3}$/.test(digits) ? parseInt(digits, 8) : 256;
    return code < 256 ? String.fromCharCode(code) : `\\${digits}`;
  });
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '"': '"', '\\': '\\',
};

/** compose-go's `isSpace`: blanks that are not a line break. */
function isSpace(char: string): boolean {
  return char === ' ' || char === '\t' || char === '\v' || char === '\f' || char === '\r' || char === '\u0085' ||
    char === '\u00A0';
}

/** Go's `unicode.IsSpace`, which also counts line breaks. */
function isGoSpace(char: string): boolean {
  return isSpace(char) || char === '\n' || /[\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]/.test(char);
}

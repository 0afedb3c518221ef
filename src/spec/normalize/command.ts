import type { ErrorCode } from '../../errors.js';
import type { ModelPath } from '../model-path.js';
import type { StageContext } from '../stage-context.js';
import { typeError } from './read.js';

/** The words of a command string as compose splits them, and what compose silently drops. */
export type CommandSplit =
  | { readonly ok: true; readonly argv: string[]; readonly dropped?: { readonly operator: string; readonly rest: string } }
  | { readonly ok: false; readonly reason: string };

const OPERATOR = /^(?:&&|\|\||[;&|<>])/;
const SPACE = new Set([' ', '\t', '\r', '\n']);
const ESCAPES: Readonly<Record<string, string>> = { t: '\t', n: '\n' };

/** Where the splitter is: which quote is open, and the word being built. */
interface SplitState {
  readonly argv: string[];
  word: string;
  /** A word has started (an empty `""` is a word too). */
  inWord: boolean;
  quote: '"' | "'" | '`' | '$(' | undefined;
  escaped: boolean;
}

/**
 * Splits a command string (`command:`, `entrypoint:`, `x-berth.process.command`) as compose does, with
 * mattn/go-shellwords and no expansion: whitespace separates words; single quotes keep everything; a backslash
 * escapes the next character outside single quotes (`\t` and `\n` become a tab and a newline); `$VAR`, `$(…)` and
 * backquotes stay literal, and whitespace inside `$(…)` and backquotes does not split. An unquoted `;`, `&`, `|`, `<`
 * or `>` ends the command — compose drops the rest, returned as `dropped` (with a file descriptor word such as the
 * `2` of `2>&1`). An open quote, a trailing backslash, or a `(` or `)` outside quotes and `$(…)` is refused, as
 * compose refuses them ("invalid command line string").
 */
export function splitCommand(text: string): CommandSplit {
  const state: SplitState = { argv: [], word: '', inWord: false, quote: undefined, escaped: false };
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (state.escaped) {
      state.word += ESCAPES[char] ?? char;
      state.escaped = false;
    } else if (char === '\\' && state.quote !== "'") {
      state.escaped = true;
      state.inWord = true;
    } else if (state.quote === undefined && OPERATOR.test(char)) {
      return { ok: true, ...stopAt(state, text, i) };
    } else {
      const problem = step(state, char);
      if (problem !== undefined) return { ok: false, reason: problem };
    }
  }
  const unclosed = unclosedReason(state);
  if (unclosed !== undefined) return { ok: false, reason: unclosed };
  if (state.inWord) state.argv.push(state.word);
  return { ok: true, argv: state.argv };
}

/** One character that is neither escaped nor an operator; returns why the text is refused, if it is. */
function step(state: SplitState, char: string): string | undefined {
  const { quote } = state;
  if (SPACE.has(char) && (quote === undefined)) {
    if (state.inWord) state.argv.push(state.word);
    state.word = '';
    state.inWord = false;
    return undefined;
  }
  if ((char === '"' || char === "'") && (quote === undefined || quote === char)) {
    state.quote = quote === char ? undefined : char;
    state.inWord = true;
    return undefined;
  }
  if (char === '`' && (quote === undefined || quote === '`')) state.quote = quote === '`' ? undefined : '`';
  else if (char === '(' && quote === undefined) {
    if (!state.word.endsWith('$')) return '"(" is only allowed inside quotes or in "$(…)"; quote the word that holds it';
    state.quote = '$(';
  } else if (char === '(' && quote === '$(') return 'a "(" inside "$(…)"; quote the command';
  else if (char === ')' && (quote === undefined || quote === '$(')) {
    if (quote === undefined) return 'a ")" without "$("; quote the word that holds it';
    state.quote = undefined;
  }
  state.word += char;
  state.inWord = true;
  return undefined;
}

/** The words before an operator; a word made only of digits before `>` is a file descriptor and is dropped too. */
function stopAt(state: SplitState, text: string, at: number): { argv: string[]; dropped: { operator: string; rest: string } } {
  const operator = OPERATOR.exec(text.slice(at))?.[0] ?? (text[at] as string);
  const descriptor = operator === '>' && /^\d+$/.test(state.word) && state.inWord;
  if (state.inWord && !descriptor) state.argv.push(state.word);
  const from = descriptor ? at - state.word.length : at;
  return { argv: state.argv, dropped: { operator, rest: text.slice(from).trim() } };
}

function unclosedReason(state: SplitState): string | undefined {
  if (state.escaped) return 'it ends with a backslash that escapes nothing';
  switch (state.quote) {
    case undefined:
      return undefined;
    case '"':
      return 'the double quote is never closed';
    case "'":
      return 'the single quote is never closed';
    case '`':
      return 'the backquote is never closed';
    case '$(':
      return 'the "$(" is never closed';
  }
}

/**
 * Splits a command string and reports into `ctx`: a string compose refuses is an error with `code` at `path`; a
 * shell operator compose would drop (with what follows it) is a warning. Returns the words, or undefined on error.
 */
export function splitCommandText(text: string, ctx: StageContext, path: ModelPath, code: ErrorCode): string[] | undefined {
  const split = splitCommand(text);
  if (!split.ok) {
    ctx.error(code, path, `cannot split the command ${JSON.stringify(text)}: ${split.reason}`, {
      hint: 'fix the quoting, or write the command as a list: ["program", "arg"]',
    });
    return undefined;
  }
  if (split.dropped) {
    ctx.warn(path, `only the words before \`${split.dropped.operator}\` run (there is no shell, as in compose); `
      + `${JSON.stringify(split.dropped.rest)} is dropped; write ["sh", "-c", ${JSON.stringify(text)}] to run it through a shell`);
  }
  return split.argv;
}

/**
 * Reads `command`/`entrypoint`: a list is taken as written, a string is split as compose splits it (with a warning
 * when compose would drop a shell operator and what follows it). Absent/null = the image's default; `[]` and `""`
 * clear it.
 */
export function readCommand(value: unknown, ctx: StageContext, path: ModelPath): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? item : String(item)));
  if (typeof value !== 'string') {
    typeError(ctx, path, 'a string or a list of strings', value);
    return undefined;
  }
  return splitCommandText(value, ctx, path, 'SPEC_TYPE');
}

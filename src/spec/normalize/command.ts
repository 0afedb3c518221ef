import type { ModelPath } from '../model-path.js';
import type { StageContext } from '../stage-context.js';
import { typeError } from './read.js';

/** The words of a command string as compose splits them, and what compose silently drops. */
export type CommandSplit =
  | { readonly ok: true; readonly argv: string[]; readonly dropped?: { readonly operator: string; readonly rest: string } }
  | { readonly ok: false; readonly reason: string };

const OPERATOR = /^(?:&&|\|\||[;&|<>])/;

/**
 * Splits a `command:`/`entrypoint:` string as compose does (mattn/go-shellwords without expansions): whitespace
 * separates words, quotes group, a backslash escapes the next character, and `$VAR` stays literal. An unquoted
 * `;`, `&`, `|`, `<` or `>` ends the command there — compose drops the rest — which is returned as `dropped`.
 */
export function splitCommand(text: string): CommandSplit {
  const argv: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
      continue;
    }
    if (char === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else word += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) argv.push(word);
      word = '';
      inWord = false;
    } else if (OPERATOR.test(char)) {
      if (inWord) argv.push(word);
      const operator = OPERATOR.exec(text.slice(i))?.[0] ?? char;
      return { ok: true, argv, dropped: { operator, rest: text.slice(i).trim() } };
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote !== undefined) return { ok: false, reason: `the ${quote === '"' ? 'double' : 'single'} quote is never closed` };
  if (inWord) argv.push(word);
  return { ok: true, argv };
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
  const split = splitCommand(value);
  if (!split.ok) {
    ctx.error('SPEC_TYPE', path, `cannot split the command ${JSON.stringify(value)}: ${split.reason}`, {
      hint: 'close the quote, or write the command as a list: ["program", "arg"]',
    });
    return undefined;
  }
  if (split.dropped) {
    ctx.warn(path, `compose runs only the words before \`${split.dropped.operator}\` and drops ${JSON.stringify(split.dropped.rest)}; `
      + `write ["sh", "-c", ${JSON.stringify(value)}] to run it through a shell`);
  }
  return split.argv;
}

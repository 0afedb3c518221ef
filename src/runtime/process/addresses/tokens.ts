/**
 * Token-wise rewriting of commands: an argv array, or the text of a `sh -c` script split on white space (quotes
 * around a token are kept; a script is not parsed further, which is enough for the flags and addresses that
 * rewriting looks for).
 */
export type TokenRule = (token: string, previous: string | undefined) => string;

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh']);

/** Applies `rule` to each token; a `sh -c SCRIPT` invocation has its script rewritten as text. */
export function rewriteArgv(argv: readonly string[], rule: TokenRule): string[] {
  const script = shellScriptIndex(argv);
  return argv.map((token, i) => (i === script ? rewriteShellText(token, rule) : rule(token, i > 0 ? argv[i - 1] : undefined)));
}

/** Applies `rule` to each white-space separated word of a shell script, keeping the spacing and quotes. */
export function rewriteShellText(text: string, rule: TokenRule): string {
  const parts = text.split(/(\s+)/);
  let previous: string | undefined;
  return parts.map((part) => {
    if (part === '' || /^\s+$/.test(part)) return part;
    const { quote, inner } = unquote(part);
    const out = rule(inner, previous);
    previous = inner;
    return quote + out + quote;
  }).join('');
}

/** Index of the script in `[sh, -c, SCRIPT, …]` (also `-ec`, `-lc`, …), or -1. */
export function shellScriptIndex(argv: readonly string[]): number {
  const program = argv[0]?.split('/').pop() ?? '';
  if (!SHELLS.has(program)) return -1;
  const flag = argv.findIndex((a, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(a));
  return flag > 0 && flag + 1 < argv.length ? flag + 1 : -1;
}

function unquote(word: string): { quote: string; inner: string } {
  const first = word[0];
  if (word.length >= 2 && (first === '"' || first === "'") && word.endsWith(first)) return { quote: first, inner: word.slice(1, -1) };
  return { quote: '', inner: word };
}

/** Splits `--flag=value` into its parts; undefined for a token without `=` after a flag. */
export function splitFlagValue(token: string): { flag: string; value: string } | undefined {
  const match = /^(--?[A-Za-z][A-Za-z0-9_.-]*)=(.*)$/s.exec(token);
  return match ? { flag: match[1] as string, value: match[2] as string } : undefined;
}

import { describe, expect, it } from 'vitest';
import { BerthError, type Warning } from '../errors.js';
import { parseDotenv } from './dotenv.js';

/** The parsed file as a plain record (later keys win, as for the callers). */
function env(text: string, lookup: Record<string, string> = {}): Record<string, string> {
  const entries = parseDotenv(text, '.env', (name) => lookup[name]);
  return Object.fromEntries(entries.map((entry) => [entry.key, entry.value]));
}

function failure(text: string, lookup: Record<string, string> = {}): BerthError {
  try {
    parseDotenv(text, '.env', (name) => lookup[name]);
  } catch (error) {
    if (error instanceof BerthError) return error;
    throw error;
  }
  throw new Error('expected parseDotenv to fail');
}

describe('parseDotenv', () => {
  it.each([
    ['KEY=value lines', 'A=1\nB=two', { A: '1', B: 'two' }],
    ['spaces around = and around an unquoted value', 'A =  spaced value  \n B= x', { A: 'spaced value', B: 'x' }],
    ['the export prefix', 'export A=1\nexport\tB=2\n  export C=3\nexportD=4\nexport_E=5', { A: '1', B: '2', C: '3', exportD: '4', export_E: '5' }],
    ['comment lines and blank lines', '# comment\n\n   \n\t# indented comment\nA=1\n\n', { A: '1' }],
    ['an inline comment after an unquoted value', 'A=value # comment\nB=x #', { A: 'value', B: 'x' }],
    ['a # that is not preceded by a space', 'A=a#b\nB=#c\nC=d\t#e', { A: 'a#b', B: '#c', C: 'd\t#e' }],
    ['a # inside quotes and a comment after them', 'A="b#c" # comment\nB=\'d #e\' # comment', { A: 'b#c', B: 'd #e' }],
    ['an empty value in every form', 'A=\nB=""\nC=\'\'\nD=   ', { A: '', B: '', C: '', D: '' }],
    ['single quotes literally', "A='$HOME ${X} \\n \\t'", { A: '$HOME ${X} \\n \\t' }],
    ['an escaped quote inside single quotes', "A='it\\'s'", { A: "it's" }],
    ['the escapes of double quotes', 'A="a\\nb\\tc\\"d\\"\\\\e\\r"', { A: 'a\nb\tc"d"\\e\r' }],
    ['unknown escapes kept as written', 'A="x\\qy\\c"', { A: 'x\\qy\\c' }],
    ['octal escapes', 'A="\\0123\\0"', { A: 'S\\' }],
    ['a double-quoted value on several lines', 'A="first\nsecond\n  third"\nB=after', { A: 'first\nsecond\n  third', B: 'after' }],
    ['single quotes inside double quotes and the reverse', 'A="\'d\'"\nB=\'"e"\'', { A: "'d'", B: '"e"' }],
    ['yaml-style KEY: value', 'A: 1\nB: x=y', { A: '1', B: 'x=y' }],
    ['= and : inside a value', 'URL=postgres://u:p@h:5432/db?sslmode=disable\nA=1:B', {
      URL: 'postgres://u:p@h:5432/db?sslmode=disable', A: '1:B',
    }],
    ['names with dots, dashes, brackets, digits and letters beyond ASCII', 'a.b=1\nc-d=2\ne[0]=3\n1ABC=4\nárvíztűrő=5', {
      'a.b': '1', 'c-d': '2', 'e[0]': '3', '1ABC': '4', 'árvíztűrő': '5',
    }],
    ['a later definition over an earlier one', 'A=1\nB=2\nA=3', { B: '2', A: '3' }],
    ['CRLF line endings', 'A=1\r\nB="x"\r\nC\r\n# c\r\nD=4', { A: '1', B: 'x', C: 'from shell', D: '4' }],
    ['a byte order mark', '\uFEFFA=1', { A: '1' }],
    ['what follows a closing quote as the next statement, as compose does', 'A="1" B=2', { A: '1', B: '2' }],
    ['an entry without a name as nothing', '=value\nA=1', { A: '1' }],
  ])('reads %s', (_name, text, expected) => {
    expect(env(text, { C: 'from shell' })).toEqual(expected);
  });

  it.each([
    ['earlier keys of the file', 'A=1\nB=${A}2\nC=$A$B', {}, { A: '1', B: '12', C: '112' }],
    ['the lookup before earlier keys, as compose does', 'A=file\nB=$A', { A: 'shell' }, { A: 'file', B: 'shell' }],
    ['names not defined anywhere as empty', 'A=x${NOPE}y', {}, { A: 'xy' }],
    ['defaults and alternatives', 'A=${NOPE:-d}\nB=${A:+set}\nC="${NOPE-q u}"', {}, { A: 'd', B: 'set', C: 'q u' }],
    ['double-quoted values', 'A=1\nB="<$A>"', {}, { A: '1', B: '<1>' }],
    ['not inside single quotes', "A=1\nB='$A'", {}, { A: '1', B: '$A' }],
    ['\\$ and $$ as a literal $', 'A=1\nB="\\$A"\nC=$$A\nD="$${A}"', {}, { A: '1', B: '$A', C: '$A', D: '${A}' }],
    ['an inherited KEY as a value for later keys', 'HOME\nP=$HOME/x', { HOME: '/h' }, { HOME: '/h', P: '/h/x' }],
  ])('expands variables from %s', (_name, text, lookup, expected) => {
    expect(env(text, lookup)).toEqual(expected);
  });

  it.each([
    ['followed by a newline', 'SHELL_VAR\nA=1'],
    ['on the last line without a newline', 'A=1\nSHELL_VAR'],
    ['with trailing spaces', 'SHELL_VAR   \nA=1'],
  ])('takes a bare KEY %s from the lookup', (_name, text) => {
    expect(env(text, { SHELL_VAR: 'v' })).toEqual({ A: '1', SHELL_VAR: 'v' });
  });

  it('leaves out a bare KEY the lookup does not know', () => {
    expect(env('MISSING\nA=1\nexport ALSO_MISSING')).toEqual({ A: '1' });
  });

  it('accepts the lookup as a function or inside an options object', () => {
    expect(parseDotenv('A=$X', 'f', { lookup: () => 'y' })[0]?.value).toBe('y');
    expect(parseDotenv('A=$X', 'f', () => 'z')[0]?.value).toBe('z');
    expect(parseDotenv('A=$X', 'f')[0]?.value).toBe('');
  });

  it('gives each entry the position of its name', () => {
    const entries = parseDotenv('\uFEFFA=1\n  export B="x\ny"\n\nC=3', 'app/.env');
    expect(entries.map((entry) => [entry.key, entry.source])).toEqual([
      ['A', { file: 'app/.env', line: 1, column: 1 }],
      ['B', { file: 'app/.env', line: 2, column: 10 }],
      ['C', { file: 'app/.env', line: 5, column: 1 }],
    ]);
  });

  it('warns once per unset variable used in a value, at the $', () => {
    const warnings: Warning[] = [];
    parseDotenv('A=x $NOPE\nB="${NOPE}"\nC=${OTHER:-d}', '.env', { warnings });
    expect(warnings).toEqual([
      { message: 'The "NOPE" variable is not set. Defaulting to a blank string.', source: { file: '.env', line: 1, column: 5 } },
    ]);
  });

  it.each([
    ['a character not allowed in a name', 'A=1\nMY$VAR=1', 'SPEC_DOTENV', 'unexpected character "$" in variable name "MY$VAR"', 2, 3],
    ['a comment after a bare name', 'A # note', 'SPEC_DOTENV', 'unexpected character "#" in variable name "A # note"', 1, 3],
    ['a space inside a name', 'MY KEY=1', 'SPEC_DOTENV', 'variable name "MY KEY" cannot contain a space', 1, 1],
    ['an unterminated double quote', 'A=1\nB = "abc\nC=2', 'SPEC_DOTENV', 'unterminated quoted value for B: the " is never closed', 2, 5],
    ['an unterminated single quote', "A='abc", 'SPEC_DOTENV', "unterminated quoted value for A: the ' is never closed", 1, 3],
    ['a closing quote escaped by a backslash', 'A="abc\\"', 'SPEC_DOTENV', 'unterminated quoted value for A: the " is never closed', 1, 3],
    ['a required variable that is missing', 'A=1\nB=x${NEED:?set NEED}', 'SPEC_INTERPOLATION', 'required variable NEED is missing a value: set NEED', 2, 4],
    ['a malformed ${ in a double-quoted value', 'A="${"', 'SPEC_INTERPOLATION', 'invalid interpolation format "${"', 1, 3],
  ])('rejects %s with file:line:column', (_name, text, code, message, line, column) => {
    const error = failure(text);
    expect(error).toMatchObject({ code, message, source: { file: '.env', line, column } });
    expect(error.hint).toBeTruthy();
  });
});

import { describe, expect, it } from 'vitest';
import { StageContext } from '../stage-context.js';
import { readCommand, splitCommand } from './command.js';

describe('splitCommand (compose shellwords)', () => {
  it.each([
    ['npm start', ['npm', 'start']],
    ['  spaced   out  ', ['spaced', 'out']],
    ['echo "hello world"', ['echo', 'hello world']],
    ["echo 'a \"b\"'", ['echo', 'a "b"']],
    ['echo a\\ b', ['echo', 'a b']],
    ['echo "a\\"b"', ['echo', 'a"b']],
    ['echo $HOME', ['echo', '$HOME']],
    ['echo ""', ['echo', '']],
    ['sh -c "a && b"', ['sh', '-c', 'a && b']],
    ['printf a\\tb\\n', ['printf', 'a\tb\n']],
    ["printf 'a\\tb'", ['printf', 'a\\tb']],
    ['echo $(date +%s) `id -u`', ['echo', '$(date +%s)', '`id -u`']],
    ['x=1\ty=2\n', ['x=1', 'y=2']],
    ['', []],
  ])('splits %j', (text, argv) => {
    expect(splitCommand(text)).toEqual({ ok: true, argv });
  });

  it.each([
    ['a && b', '&&', ['a']],
    ['a | b', '|', ['a']],
    ['a; b', ';', ['a']],
    ['a > out', '>', ['a']],
    ['npm start 2>&1', '>', ['npm', 'start']],
  ])('stops at the operator of %j as compose does', (text, operator, argv) => {
    const split = splitCommand(text);
    expect(split.ok && split.argv).toEqual(argv);
    expect(split.ok && split.dropped?.operator).toBe(operator);
  });

  it('drops a file descriptor word with the redirection that follows it', () => {
    const split = splitCommand('serve 2>/dev/null');
    expect(split.ok && split.dropped).toEqual({ operator: '>', rest: '2>/dev/null' });
  });

  it.each([
    ['echo "oops', 'the double quote is never closed'],
    ["echo 'oops", 'the single quote is never closed'],
    ['echo `id', 'the backquote is never closed'],
    ['echo $(date', 'the "$(" is never closed'],
    ['echo oops\\', 'it ends with a backslash that escapes nothing'],
    ['python -c print(1)', '"(" is only allowed inside quotes or in "$(…)"; quote the word that holds it'],
    ['echo a)', 'a ")" without "$("; quote the word that holds it'],
  ])('refuses %j as compose does', (text, reason) => {
    expect(splitCommand(text)).toEqual({ ok: false, reason });
  });
});

describe('readCommand', () => {
  it('warns when compose would drop part of the command', () => {
    const ctx = new StageContext();
    expect(readCommand('npm ci && npm start', ctx, ['services', 'web', 'command'])).toEqual(['npm', 'ci']);
    expect(ctx.warnings[0]?.message).toContain('["sh", "-c", "npm ci && npm start"]');
  });

  it('keeps an empty list (clears the image command) apart from absent', () => {
    const ctx = new StageContext();
    expect(readCommand([], ctx, [])).toEqual([]);
    expect(readCommand(undefined, ctx, [])).toBeUndefined();
    expect(readCommand(['a', 1], ctx, [])).toEqual(['a', '1']);
  });
});

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
    ['', []],
  ])('splits %j', (text, argv) => {
    expect(splitCommand(text)).toEqual({ ok: true, argv });
  });

  it.each([
    ['a && b', '&&', ['a']],
    ['a | b', '|', ['a']],
    ['a; b', ';', ['a']],
    ['a > out', '>', ['a']],
  ])('stops at the operator of %j as compose does', (text, operator, argv) => {
    const split = splitCommand(text);
    expect(split.ok && split.argv).toEqual(argv);
    expect(split.ok && split.dropped?.operator).toBe(operator);
  });

  it('refuses an unclosed quote', () => {
    expect(splitCommand('echo "oops')).toEqual({ ok: false, reason: 'the double quote is never closed' });
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

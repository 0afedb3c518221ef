import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandWords } from './commands/exec.js';
import { buildProgram } from './main.js';

/** Parses argv with the real program, capturing what the named command's action receives instead of running it. */
async function parsed(argv: string[], name: string): Promise<{ args: unknown[]; root: Record<string, unknown> }> {
  const program = buildProgram();
  const command = program.commands.find((c) => c.name() === name) as Command;
  let args: unknown[] = [];
  command.action((...received: unknown[]) => {
    args = received.slice(0, -1); // the arguments and the options, without the command itself
  });
  await program.parseAsync(argv, { from: 'user' });
  return { args, root: program.opts() };
}

describe('the berth program', () => {
  it('reads `logs -f api` as following api, not as the root --file flag', async () => {
    const { args, root } = await parsed(['logs', '-f', 'api', 'worker'], 'logs');
    expect(args).toEqual([['api', 'worker'], { follow: true }]);
    expect(root.file).toBeUndefined();
  });

  it('still takes project flags before the command', async () => {
    const { args, root } = await parsed(['-f', 'a.yaml', '-p', 'shop', 'ps'], 'ps');
    expect(root).toMatchObject({ file: ['a.yaml'], projectName: 'shop' });
    expect(args[0]).toEqual([]);
  });

  it('passes options after the service of `exec` to the command', async () => {
    const { args } = await parsed(['exec', '--index', '2', 'api', 'ls', '-la', '-f', 'x'], 'exec');
    expect(args).toEqual(['api', ['ls', '-la', '-f', 'x'], { index: 2, timeout: 600 }]);
    const separated = await parsed(['exec', 'db', '--', 'psql', '-c', 'select 1'], 'exec');
    expect(commandWords(separated.args[1] as string[])).toEqual(['psql', '-c', 'select 1']);
    expect(commandWords(['env', '--', 'x'])).toEqual(['env', '--', 'x']);
  });
});

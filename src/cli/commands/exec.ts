import { Command } from 'commander';
import type { ExecRequest } from '../../api/protocol.js';
import type { ExecResult } from '../../runtime/runtime.js';
import { BerthError } from '../../errors.js';
import { parseCount } from '../parse-flags.js';
import { projectContext, requireDaemon } from '../project-context.js';

export function execCommand(): Command {
  const command = new Command('exec')
    .description("Run a command with a running service's environment, working directory and addresses (not interactive)")
    .argument('<service>', 'the service')
    .argument('<command...>', 'the command and its arguments (everything after the service is passed to it)')
    .option('--index <n>', 'which replica (default: 1)', parseCount, 1)
    .option('--timeout <seconds>', 'kill the command after this many seconds (default: 600)', parseCount, 600)
    // Options after the service belong to the command (`berth exec api ls -la`), as with docker compose exec.
    .passThroughOptions()
    .addHelpText('after', "\nExamples:\n  berth exec db -- psql -c 'select count(*) from tasks'\n  berth exec api -- env");
  return command.action(async (service: string, words: string[], flags: { index: number; timeout: number }, cmd: Command) => {
    const argv = commandWords(words);
    if (argv.length === 0) throw new BerthError('USAGE', 'berth exec needs a command after the service', { hint: 'e.g. berth exec api -- env' });
    const context = projectContext(cmd, [service]);
    const client = await requireDaemon(context);
    const request: ExecRequest = { service, replica: flags.index, argv, timeoutMs: flags.timeout * 1000 };
    const result = await client.post<ExecResult>('/v1/exec', request);
    process.stdout.write(result.output);
    if (result.timedOut) process.stderr.write(`berth: the command was killed after ${flags.timeout} s\n`);
    process.exitCode = result.exitCode ?? 1;
  });
}

/** The command after the service; a leading `--` (the documented `berth exec db -- psql …`) only separates. */
export function commandWords(words: readonly string[]): string[] {
  return words[0] === '--' ? words.slice(1) : [...words];
}

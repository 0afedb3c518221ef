import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadStack } from '../../src/spec/load.js';
import { toComposeDocument } from '../../src/spec/serialize.js';
import { caseOptions, FIXTURES, listCases, projectOptionsForCase } from '../golden/golden-cases.js';
import { meaningOf, onlyActiveProfiles, restrictTo } from './compose-meaning.js';

const hasOracle = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;
if (!hasOracle && process.env.BERTH_REQUIRE_ORACLE) throw new Error('docker-compose (v1) is required in CI: apt-get install docker-compose');

/** Python's shlex, the splitter compose uses for string commands: an oracle independent of berth's own. */
function shlexSplit(command: string): string[] {
  const out = execFileSync('python3', ['-c', 'import json,shlex,sys; print(json.dumps(shlex.split(sys.argv[1])))', command], { encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

function runV1(dir: string): unknown {
  const options = caseOptions(dir);
  const args = [...(options.files ?? []).flatMap((f) => ['-f', f]), ...(options.profiles ?? []).flatMap((p) => ['--profile', p]), 'config'];
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/home/user', ...options.env };
  const result = spawnSync('docker-compose', args, { cwd: dir, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`docker-compose config failed in ${dir}:\n${result.stderr}`);
  return parse(result.stdout);
}

const cases = listCases('golden').filter((name) => {
  const dir = path.join(FIXTURES, 'golden', name);
  return !caseOptions(dir).oracleSkip;
});

describe.skipIf(!hasOracle)('oracle: berth config means what docker-compose (v1) config means', () => {
  it.each(cases)('%s', (name) => {
    const dir = path.join(FIXTURES, 'golden', name);
    const v1 = onlyActiveProfiles(meaningOf(runV1(dir), shlexSplit), caseOptions(dir).profiles ?? []);
    const { stack } = loadStack(projectOptionsForCase(dir));
    const berth = restrictTo(meaningOf(JSON.parse(JSON.stringify(toComposeDocument(stack))), shlexSplit), v1);
    expect(berth).toEqual(v1);
  });
});

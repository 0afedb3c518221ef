import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { addProjectFlags } from '../global-options.js';
import { exportCommand } from './export.js';

const COMPOSE = `
services:
  db:
    image: postgres:16
    restart: always
    environment: {POSTGRES_PASSWORD: do-not-print}
  web:
    image: web:1
    restart: always
    expose: ["8000"]
    depends_on: [db]
`;

function project(): { file: string; out: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-export-'));
  const file = path.join(dir, 'compose.yml');
  writeFileSync(file, COMPOSE);
  return { file, out: path.join(dir, 'k8s') };
}

async function run(argv: string[]): Promise<{ stdout: string; stderr: string }> {
  const program = addProjectFlags(new Command('berth').enablePositionalOptions().exitOverride());
  program.addCommand(exportCommand());
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    stderr += `${args.join(' ')}\n`;
  });
  await program.parseAsync(argv, { from: 'user' });
  return { stdout, stderr };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('berth export kubernetes', () => {
  it('prints the manifests as one stream with warnings on stderr, in the namespace asked for', async () => {
    const { file } = project();
    const { stdout, stderr } = await run(['-p', 'shop', '-f', file, 'export', 'kubernetes', '--namespace', 'prod']);
    expect(stdout.split('\n---\n')).toHaveLength(5);
    expect(stdout).toContain('namespace: prod');
    expect(stdout).not.toContain('do-not-print');
    expect(stderr).toContain('POSTGRES_PASSWORD');
  });

  it('writes one numbered file per object with -o', async () => {
    const { file, out } = project();
    await run(['-p', 'shop', '-f', file, 'export', 'kubernetes', 'web', '-o', out]);
    expect(readdirSync(out)).toEqual(['01-service-web.yaml', '02-deployment-web.yaml']);
    expect(readFileSync(path.join(out, '02-deployment-web.yaml'), 'utf8')).toContain('wait-for-db');
  });

  it('refuses a namespace Kubernetes cannot use', async () => {
    const { file } = project();
    await expect(run(['-f', file, 'export', 'kubernetes', '--namespace', 'Prod_1'])).rejects.toMatchObject({ code: 'USAGE' });
  });
});

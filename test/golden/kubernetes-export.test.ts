import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatWarning } from '../../src/errors.js';
import { exportKubernetes } from '../../src/export/kubernetes/export-kubernetes.js';
import { renderStream } from '../../src/export/kubernetes/render-manifests.js';
import { validateKubeObject } from '../../src/export/kubernetes/test-validate.js';
import { loadStack } from '../../src/spec/load.js';
import { FIXTURES, listCases, portable, projectOptionsForCase } from './golden-cases.js';

const UPDATE = process.env.UPDATE_GOLDEN === '1';
const GOLDEN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'kubernetes');
const SEEDS = listCases('golden').filter((name) => name.startsWith('seed-'));

/** `<seed>.yaml` holds the manifest stream, `<seed>.warnings.txt` what the CLI prints on stderr. */
function checkSeed(name: string): void {
  const dir = path.join(FIXTURES, 'golden', name);
  const { stack } = loadStack(projectOptionsForCase(dir));
  const result = exportKubernetes(stack);
  for (const { object } of result.objects) {
    expect(() => validateKubeObject(object), `${object.kind}/${object.metadata.name}`).not.toThrow();
  }
  const actual = {
    yaml: portable(renderStream(result.objects), dir),
    'warnings.txt': portable(result.warnings.map((w) => `${formatWarning(w)}\n`).join(''), dir),
  };
  for (const [extension, text] of Object.entries(actual)) {
    const file = path.join(GOLDEN, `${name}.${extension}`);
    if (UPDATE) {
      mkdirSync(GOLDEN, { recursive: true });
      writeFileSync(file, text);
      continue;
    }
    expect(existsSync(file), `missing ${file}; run with UPDATE_GOLDEN=1 and review`).toBe(true);
    expect(text).toBe(readFileSync(file, 'utf8'));
  }
}

describe('golden: seed stacks export to the checked-in Kubernetes manifests', () => {
  it('has seed fixtures to check', () => expect(SEEDS.length).toBeGreaterThan(0));
  it.each(SEEDS)('%s', (name) => checkSeed(name));
});

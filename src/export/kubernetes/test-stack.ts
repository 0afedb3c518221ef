/** Test support: loads a stack from compose YAML text written to a fresh temporary project folder. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Stack } from '../../model/stack.js';
import { loadStack } from '../../spec/load.js';
import { defaultProjectOptions } from '../../spec/project-options.js';

export function stackFrom(composeYaml: string, projectName = 'shop'): Stack {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-k8s-'));
  writeFileSync(path.join(dir, 'compose.yml'), composeYaml);
  return loadStack(defaultProjectOptions({ workingDirectory: dir, projectName, environment: { HOME: '/home/user' } })).stack;
}

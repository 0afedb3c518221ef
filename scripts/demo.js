#!/usr/bin/env node
// The README's first command: shows berth reading a real example stack.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(path.join(root, 'dist/cli/main.js'))) {
  console.log('building berth (npm run build)…');
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const example = path.join(root, 'examples/tasks');
console.log(`$ berth config   (in ${path.relative(process.cwd(), example) || '.'})\n`);
const run = spawnSync(process.execPath, [path.join(root, 'bin/berth.js'), 'config'], { cwd: example, stdio: 'inherit' });
process.exit(run.status ?? 1);

#!/usr/bin/env node
// The README's first command: runs berth's main job on the example stack in examples/tasks — Postgres, Redis, a
// migration job, two API replicas and a worker as supervised local processes (no Docker) — shows it working, and
// stops it again. Leave it running with `npm run demo -- --keep`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkDemoDeps, formatMissing } from './check-demo-deps.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const example = path.join(root, 'examples/tasks');
const keep = process.argv.includes('--keep');
const port = process.env.API_PORT ?? '8000';
const proxyPort = process.env.BERTH_HTTP_PORT ?? '8080';

function step(title) {
  console.log(`\n\x1b[1m== ${title}\x1b[0m`);
}

function berth(args, options = {}) {
  console.log(`$ berth ${args.join(' ')}`);
  const result = spawnSync(process.execPath, [path.join(root, 'bin/berth.js'), ...args], {
    cwd: example, stdio: 'inherit', env: { ...process.env, API_PORT: port }, ...options,
  });
  return result.status ?? 1;
}

async function request(method, url, body) {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
  const text = await res.text();
  console.log(`$ curl -X ${method} ${url}${body ? ` -d '${JSON.stringify(body)}'` : ''}\n${res.status} ${text}`);
  return JSON.parse(text);
}

/** A GET with a Host header of our choosing (fetch does not allow setting Host). */
function getWithHost(url, host) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { host } }, (res) => {
      let body = '';
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
}

const deps = checkDemoDeps();
if (!deps.ok) {
  console.error(formatMissing(deps));
  process.exit(1);
}
if (!existsSync(path.join(root, 'dist/cli/main.js'))) {
  step('building berth');
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

step(`starting the example stack (API on http://127.0.0.1:${port}; set API_PORT to change it)`);
if (berth(['up', '-d', '--wait']) !== 0) {
  console.error('\nthe stack did not come up; `berth logs` in examples/tasks shows why. Stopping it.');
  berth(['down']);
  process.exit(1);
}
let failed = false;
try {
  step('what runs');
  berth(['ps']);
  step('using it: the API writes to Postgres and queues on Redis; the worker processes the task');
  const task = await request('POST', `http://127.0.0.1:${port}/tasks`, { title: 'try berth' });
  for (let i = 0; i < 50; i++) {
    const tasks = await fetch(`http://127.0.0.1:${port}/tasks`).then((r) => r.json());
    if (tasks.find((t) => t.id === task.id && t.status === 'done')) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await request('GET', `http://127.0.0.1:${port}/tasks`);
  step('two API replicas behind the published port');
  for (let i = 0; i < 2; i++) await request('GET', `http://127.0.0.1:${port}/`);
  step(`berth's edge proxy routes tasks.localhost to them (port ${proxyPort}; BERTH_HTTP_PORT changes it)`);
  const routed = await getWithHost(`http://127.0.0.1:${proxyPort}/tasks`, 'tasks.localhost');
  console.log(`$ curl -H 'Host: tasks.localhost' http://127.0.0.1:${proxyPort}/tasks\n${routed.status} ${routed.body.slice(0, 200)}`);
  step('logs');
  berth(['logs', '--tail', '3', 'worker', 'migrate']);
} catch (error) {
  failed = true;
  console.error(`\nthe demo failed: ${error.message}`);
}
if (keep && !failed) {
  console.log('\nthe stack keeps running: `cd examples/tasks && npx berth ps`, then `npx berth down` to stop it');
} else {
  step('stopping the stack');
  berth(['down']);
}
process.exit(failed ? 1 : 0);

#!/usr/bin/env node
// Checks the Debian packages the demo stack (examples/tasks) runs on, and says how to install what is missing.
//   node scripts/check-demo-deps.js    → exit 0 when all is there; else lists what is missing, one apt-get line, exit 1
// The lead's demo imports checkDemoDeps() / formatMissing() and runs them first.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Python modules the example imports, with the Debian package that provides each. */
const PYTHON_MODULES = [
  { module: 'fastapi', pkg: 'python3-fastapi' },
  { module: 'uvicorn', pkg: 'python3-uvicorn' },
  { module: 'psycopg2', pkg: 'python3-psycopg2' },
  { module: 'redis', pkg: 'python3-redis' },
];

/** Programs found on PATH, with their package (pg_isready and curl: the stack's healthchecks). */
const PROGRAMS = [
  { name: 'pg_isready', pkg: 'postgresql-client' },
  { name: 'redis-server', pkg: 'redis-server' },
  { name: 'redis-cli', pkg: 'redis-tools' },
  { name: 'curl', pkg: 'curl' },
];

/**
 * @typedef {{ what: string, pkg: string }} Missing   one missing thing and the Debian package that provides it
 * @typedef {{ ok: boolean, missing: Missing[], packages: string[], installCommand: string | null }} DepsReport
 * @typedef {{ postgresRoot?: string, python?: string, path?: string }} DepsOptions   overrides, for tests
 */

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name, searchPath) {
  return searchPath.split(path.delimiter).some((dir) => dir !== '' && isExecutable(path.join(dir, name)));
}

/** Postgres server binaries live in /usr/lib/postgresql/<version>/bin, off PATH. */
function findPostgresBin(root) {
  let versions;
  try {
    versions = readdirSync(root);
  } catch {
    return null;
  }
  const sorted = versions.filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  const found = sorted.find((v) => ['initdb', 'postgres'].every((b) => isExecutable(path.join(root, v, 'bin', b))));
  return found === undefined ? null : path.join(root, found, 'bin');
}

function missingPythonModules(python) {
  const probe = 'import importlib.util, sys\nfor m in sys.argv[1:]:\n    if importlib.util.find_spec(m) is None: print(m)';
  const names = PYTHON_MODULES.map((m) => m.module);
  // -I: isolated, so that a user's site-packages or PYTHONPATH cannot hide a missing Debian package.
  const result = spawnSync(python, ['-I', '-c', probe, ...names], { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) return null;
  const absent = new Set(result.stdout.split('\n').filter(Boolean));
  return PYTHON_MODULES.filter((m) => absent.has(m.module));
}

/**
 * Finds what the example stack needs and is not installed. Reads the file system and runs python3 once; prints
 * nothing and never exits.
 * @param {DepsOptions} [options]
 * @returns {DepsReport}
 */
export function checkDemoDeps(options = {}) {
  const postgresRoot = options.postgresRoot ?? '/usr/lib/postgresql';
  const python = options.python ?? '/usr/bin/python3';
  const searchPath = options.path ?? process.env.PATH ?? '/usr/bin:/bin';
  /** @type {Missing[]} */
  const missing = [];
  if (findPostgresBin(postgresRoot) === null) {
    missing.push({ what: `PostgreSQL server (initdb, postgres under ${postgresRoot}/*/bin)`, pkg: 'postgresql' });
  }
  for (const program of PROGRAMS) {
    if (!onPath(program.name, searchPath)) missing.push({ what: program.name, pkg: program.pkg });
  }
  if (!isExecutable(python)) {
    missing.push({ what: python, pkg: 'python3' });
    for (const m of PYTHON_MODULES) missing.push({ what: `python module ${m.module}`, pkg: m.pkg });
  } else {
    const modules = missingPythonModules(python) ?? PYTHON_MODULES;
    for (const m of modules) missing.push({ what: `python module ${m.module} (for ${python})`, pkg: m.pkg });
  }
  const packages = [...new Set(missing.map((m) => m.pkg))];
  const installCommand = packages.length === 0 ? null : `sudo apt-get install -y ${packages.join(' ')}`;
  return { ok: missing.length === 0, missing, packages, installCommand };
}

/**
 * The report as lines for a terminal: what is missing, then the one command that installs it. Empty when ok.
 * @param {DepsReport} report
 * @returns {string}
 */
export function formatMissing(report) {
  if (report.ok) return '';
  const lines = ['The demo needs these, which are missing:'];
  for (const m of report.missing) lines.push(`  - ${m.what}  (Debian package ${m.pkg})`);
  lines.push('', 'Install them with:', `  ${report.installCommand}`);
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const report = checkDemoDeps();
  if (report.ok) {
    console.log('demo dependencies: all present (postgresql, pg_isready, redis-server, redis-cli, curl, python3 + fastapi, uvicorn, psycopg2, redis)');
  } else {
    process.stderr.write(formatMissing(report));
    process.exitCode = 1;
  }
}

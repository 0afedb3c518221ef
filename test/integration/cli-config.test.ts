import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { berth } from '../berth-cli.js';
import { FIXTURES, portable } from '../golden/golden-cases.js';

const seed003 = path.join(FIXTURES, 'golden/seed-003-tramites');
const invalid = (name: string) => path.join(FIXTURES, 'invalid', name);

function tempProject(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-cli-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('berth config', () => {
  it('prints the same model as YAML and as JSON, matching the golden file', () => {
    const yaml = berth(['config'], { cwd: seed003 });
    const json = berth(['config', '--format', 'json'], { cwd: seed003 });
    expect(yaml.status).toBe(0);
    expect(json.status).toBe(0);
    const golden = JSON.parse(readFileSync(path.join(seed003, 'expected.json'), 'utf8')) as { config: unknown };
    expect(JSON.parse(portable(json.stdout, seed003))).toEqual(golden.config);
    expect(parse(yaml.stdout)).toEqual(JSON.parse(json.stdout));
  });

  it('lists services, volumes and profiles one per line', () => {
    expect(berth(['config', '--services'], { cwd: seed003 }).stdout).toBe('backend\ndb\nfrontend\nnginx\nredis\n');
    expect(berth(['config', '--volumes'], { cwd: seed003 }).stdout).toBe('backend-uploads\ndb-data\nredis-data\n');
    const profiles = path.join(FIXTURES, 'golden/profiles-debug');
    expect(berth(['config', '--profiles'], { cwd: profiles }).stdout).toBe('debug\nmail\n');
    expect(berth(['--profile', 'mail', 'config', '--services'], { cwd: profiles }).stdout).toBe('api\nmailhog\n');
    expect(berth(['config', '--services'], { cwd: profiles, env: { COMPOSE_PROFILES: 'debug,mail' } }).stdout).toBe('adminer\napi\nmailhog\n');
  });

  it('validates quietly: exit 0 and no output for a valid stack, exit 1 and located errors for an invalid one', () => {
    const ok = berth(['config', '-q'], { cwd: seed003 });
    expect(ok).toMatchObject({ status: 0, stdout: '' });
    const bad = berth(['config', '-q'], { cwd: invalid('unknown-service-key') });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('compose.yml:4:5 SPEC_UNKNOWN_KEY services.api.helthcheck: unknown key `helthcheck` in service `api` — did you mean `healthcheck`?');
    expect(bad.stderr).not.toMatch(/\n\s+at /); // never a stack trace
  });

  it('reports every problem of a file at once', () => {
    const dir = tempProject({ 'compose.yaml': 'services:\n  a:\n    image: x\n    imgae: y\n  b:\n    image: x\n    restrat: always\n' });
    const result = berth(['config'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('compose.yaml:4:5 SPEC_UNKNOWN_KEY services.a.imgae');
    expect(result.stderr).toContain('compose.yaml:7:5 SPEC_UNKNOWN_KEY services.b.restrat');
  });

  it('merges -f overlays in order and takes COMPOSE_FILE when no -f is given', () => {
    const dir = path.join(FIXTURES, 'golden/overlay-prod');
    const flags = berth(['-f', 'docker-compose.yml', '-f', 'docker-compose.prod.yml', 'config', '--format', 'json'], { cwd: dir });
    const fromEnv = berth(['config', '--format', 'json'], { cwd: dir, env: { COMPOSE_FILE: 'docker-compose.yml:docker-compose.prod.yml' } });
    expect(flags.status).toBe(0);
    expect(fromEnv.stdout).toBe(flags.stdout);
    const backend = (JSON.parse(flags.stdout) as { services: Record<string, { restart: string; environment: Record<string, string> }> }).services.backend;
    expect(backend?.restart).toBe('always');
    expect(backend?.environment).toEqual({ DEBUG: 'False', LOG_LEVEL: 'debug' });
  });

  it('names the project from -p, COMPOSE_PROJECT_NAME, name: or the folder, in that order', () => {
    const dir = tempProject({ 'My App/compose.yaml': 'services:\n  web:\n    image: nginx\n' });
    const app = path.join(dir, 'My App');
    const nameOf = (args: string[], env?: Record<string, string>) => (parse(berth([...args, 'config'], { cwd: app, env }).stdout) as { name: string }).name;
    expect(nameOf([])).toBe('myapp');
    expect(nameOf([], { COMPOSE_PROJECT_NAME: 'from-env' })).toBe('from-env');
    expect(nameOf(['-p', 'from-flag'], { COMPOSE_PROJECT_NAME: 'from-env' })).toBe('from-flag');
    const bad = berth(['-p', 'Bad Name', 'config'], { cwd: app });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('invalid project name "Bad Name" (from -p)');
  });

  it('uses --env-file instead of .env, and the shell environment over both', () => {
    const dir = tempProject({
      'compose.yaml': 'services:\n  web:\n    image: "nginx:${TAG}"\n',
      '.env': 'TAG=from-dotenv\n',
      'prod.env': 'TAG=from-env-file\n',
    });
    const image = (args: string[], env?: Record<string, string>) => (parse(berth([...args, 'config'], { cwd: dir, env }).stdout) as { services: { web: { image: string } } }).services.web.image;
    expect(image([])).toBe('nginx:from-dotenv');
    expect(image(['--env-file', 'prod.env'])).toBe('nginx:from-env-file');
    expect(image(['--env-file', 'prod.env'], { TAG: 'from-shell' })).toBe('nginx:from-shell');
  });

  it('keeps ${VAR} expressions with --no-interpolate', () => {
    const dir = path.join(FIXTURES, 'golden/interpolation-forms');
    const result = berth(['config', '--no-interpolate'], { cwd: dir });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('image: tramites/api:${APP_VERSION}');
    expect(result.stdout).toContain('${API_PORT:-8000}:8000');
  });

  it('prints only the services named, and refuses an unknown one with usage status', () => {
    const one = berth(['config', 'redis', '--format', 'json'], { cwd: seed003 });
    expect(Object.keys((JSON.parse(one.stdout) as { services: object }).services)).toEqual(['redis']);
    const unknown = berth(['config', 'nope'], { cwd: seed003 });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('no such service');
  });

  it('loads a Procfile when there is no compose file', () => {
    const result = berth(['config', '--services'], { cwd: path.join(FIXTURES, 'golden/seed-002-procfile') });
    expect(result).toMatchObject({ status: 0, stdout: 'web\n' });
  });

  it('explains usage errors with status 2 and missing files with status 1', () => {
    const usage = berth(['config', '--format', 'xml'], { cwd: seed003 });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("argument 'xml' is invalid");
    const none = berth(['config'], { cwd: tempProject({}) });
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('SPEC_NOT_FOUND: no compose file found');
    expect(none.stderr).toContain('hint: create compose.yaml');
  });

  it('has --help for the program and for config', () => {
    const help = berth(['--help'], { cwd: seed003 });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('config');
    const configHelp = berth(['config', '--help'], { cwd: seed003 });
    expect(configHelp.stdout).toContain('--no-interpolate');
    expect(configHelp.stdout).toContain('Examples:');
  });
});

describe('berth config: project discovery', () => {
  it('takes COMPOSE_FILE from the .env of the working directory, relative to it', () => {
    const dir = tempProject({
      'deploy/base.yml': 'services:\n  web:\n    image: nginx\n',
      'deploy/prod.yml': 'services:\n  web:\n    restart: always\n',
      '.env': 'COMPOSE_FILE=deploy/base.yml:deploy/prod.yml\n',
    });
    const result = berth(['config', '--format', 'json'], { cwd: dir });
    expect(result.status).toBe(0);
    expect((JSON.parse(result.stdout) as { services: { web: { restart: string } } }).services.web.restart).toBe('always');
  });

  it('finds the compose file in a parent folder and reads .env from --project-directory', () => {
    const dir = tempProject({
      'compose.yaml': 'services:\n  web:\n    image: "nginx:${TAG:-none}"\n',
      'src/app/.keep': '',
      'env-here/.env': 'TAG=from-project-dir\n',
    });
    const fromChild = berth(['config', '--format', 'json'], { cwd: path.join(dir, 'src/app') });
    expect((JSON.parse(fromChild.stdout) as { services: { web: { image: string } } }).services.web.image).toBe('nginx:none');
    const withDir = berth(['--project-directory', path.join(dir, 'env-here'), 'config', '--format', 'json'], { cwd: dir });
    expect((JSON.parse(withDir.stdout) as { services: { web: { image: string } } }).services.web.image).toBe('nginx:from-project-dir');
  });

  it('warns that the top-level version key is obsolete, naming its line', () => {
    const result = berth(['config', '-q'], { cwd: seed003 });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('docker-compose.yml:1:1 warning: the top-level `version` is obsolete');
  });
});

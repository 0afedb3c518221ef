import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../../../log/logger.js';
import type { Service } from '../../../model/stack.js';
import { conformanceService } from '../../conformance.js';
import { ServiceDirectory } from '../addresses/service-addresses.js';
import { AdapterRegistry } from '../adapters/registry.js';
import { specOf, tempProject } from '../test-helpers.js';
import { INHERITED_VARIABLES } from './environment.js';
import { resolveLaunch, type LaunchContext } from './resolve-launch.js';

const project = tempProject('berth-launch-');
afterAll(() => project.remove());
const app = path.join(project.dir, 'app');
mkdirSync(path.join(app, 'src'), { recursive: true });

const directory = new ServiceDirectory('demo', [{ name: 'db', aliases: [] }, { name: 'redis', aliases: [] }, { name: 'web', aliases: [] }]);
const warnings: string[] = [];
const log: Logger = { ...silentLogger, warn: (message) => warnings.push(message) };
const context = (overrides: Partial<LaunchContext> = {}): LaunchContext => ({
  stateDir: project.stateDir, ports: new Map([[8000, 41001], [9000, 41002]]), directory, adapters: AdapterRegistry.standard(),
  runDir: path.join(project.stateDir, 'run', 'x'), mountRoots: { volumes: path.join(project.stateDir, 'volumes'), anonymous: path.join(project.stateDir, 'volumes', '_anonymous', 'x') },
  root: false, log, hostEnv: { PATH: '/usr/bin:/bin', HOME: '/home/me', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', SECRET_OF_BERTH: 'no', TERM: 'xterm' }, ...overrides,
});
const plan = (service: Service, overrides: Partial<LaunchContext> = {}) => resolveLaunch(specOf({ projectDir: project.dir, service }), context(overrides));
const built = (overrides: Partial<Service>): Service => conformanceService('web', { build: { context: app, dockerfile: 'Dockerfile', args: {}, labels: {}, other: {} }, ...overrides });

describe('resolveLaunch', () => {
  it('runs x-berth.process.command first, in x-berth.process.cwd', () => {
    const result = plan(built({ command: ['ignored'], berth: { process: { command: ['npm', 'start'], cwd: path.join(app, 'src') }, routes: [], other: {} } }));
    expect(result).toMatchObject({ how: 'x-berth.process.command', argv: ['npm', 'start'], cwd: path.join(app, 'src') });
  });

  it('runs a built service\'s entrypoint and command in its build context, rewritten for the replica', () => {
    const result = plan(built({ entrypoint: ['python', '-m'], command: ['uvicorn', 'app.main:app', '--host', '0.0.0.0', '--port', '8000'] }));
    expect(result).toMatchObject({ how: 'build context', argv: ['python', '-m', 'uvicorn', 'app.main:app', '--host', '127.0.0.1', '--port', '41001'], cwd: app });
  });

  it.each([
    ['working_dir under a bind mount → its host folder', { workingDir: '/code/src', volumes: [{ type: 'bind' as const, source: app, target: '/code', readOnly: false }] }, path.join(app, 'src')],
    ['working_dir that exists on the host', { workingDir: app }, app],
    ['working_dir only inside the image → build context', { workingDir: '/usr/src/app' }, app],
    ['relative working_dir → under the build context', { workingDir: 'src' }, path.join(app, 'src')],
  ])('%s', (_name, overrides: Partial<Service>, cwd) => {
    expect(plan(built({ command: ['node', 'server.js'], ...overrides })).cwd).toBe(cwd);
  });

  it('builds the environment from inherited variables, the rewritten service environment, ports and berth\'s own', () => {
    const result = plan(built({
      command: ['node', 'server.js'],
      environment: { DATABASE_URL: 'postgres://u:p@db:5432/app', PORT: '3000', UNSET: null, PATH: '/opt/app/bin:/usr/bin' },
    }));
    expect(result.env).toEqual({
      HOME: '/home/me', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', PATH: '/opt/app/bin:/usr/bin',
      DATABASE_URL: `postgres://u:p@${directory.addressOf('db')}:5432/app`,
      PORT: '41001', HOST: '127.0.0.1', PORT_8000: '41001', PORT_9000: '41002',
      BERTH_SERVICE: 'web', BERTH_REPLICA: '1',
    });
    expect(INHERITED_VARIABLES).toContain('PATH');
  });

  it('picks the image adapter when there is no command to run', () => {
    expect(plan(conformanceService('cache', { image: 'redis:7-alpine' }), { ports: new Map([[6379, 41003]]) }).how).toBe('image adapter redis');
  });

  it('names the service and the fix when it cannot run it', () => {
    expect(() => plan(conformanceService('proxy', { image: 'nginx:alpine' }))).toThrow(expect.objectContaining({
      code: 'RUNTIME_UNRUNNABLE', message: expect.stringContaining('service proxy uses the image `nginx:alpine`'),
      hint: expect.stringMatching(/x-berth.*process.*command.*--runtime docker/s),
    }));
    expect(() => plan(built({}))).toThrow(expect.objectContaining({ code: 'RUNTIME_UNRUNNABLE', message: expect.stringContaining('has no `command`') }));
  });

  it('names the Debian package when an adapter\'s program is missing', () => {
    const adapters = AdapterRegistry.standard({ postgres: { roots: ['/nonexistent'], searchPath: '/nonexistent' }, redis: { searchPath: '/nonexistent' } });
    expect(() => plan(conformanceService('db', { image: 'postgres:16' }), { adapters })).toThrow(expect.objectContaining({
      code: 'RUNTIME_MISSING_BINARY', hint: expect.stringContaining('`postgresql`'),
    }));
    expect(() => plan(conformanceService('cache', { image: 'redis' }), { adapters })).toThrow(expect.objectContaining({
      code: 'RUNTIME_MISSING_BINARY', hint: expect.stringContaining('`redis-server`'),
    }));
  });

  it('runs as the service\'s user only when berth is root and the account exists, else warns', () => {
    const lookupUser = (name: string) => (name === 'app' ? { uid: 1234, gid: 1234, name: 'app', home: '/home/app' } : undefined);
    const service = built({ command: ['node', 'server.js'], user: 'app' });
    const asRoot = plan(service, { root: true, lookupUser });
    expect(asRoot.user).toEqual({ uid: 1234, gid: 1234, name: 'app', home: '/home/app' });
    expect(asRoot.env).toMatchObject({ HOME: '/home/app', USER: 'app', LOGNAME: 'app' });
    warnings.length = 0;
    expect(plan(service, { root: false, lookupUser }).user).toBeUndefined();
    expect(plan(built({ command: ['x'], user: 'ghost' }), { root: true, lookupUser }).user).toBeUndefined();
    expect(warnings).toHaveLength(2);
  });
});

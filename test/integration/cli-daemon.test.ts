import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnBerth } from '../berth-cli.js';
import { groupAlive, TestProject, waitFor } from '../support/stack-helpers.js';

const COMPOSE = `services:\n  web:\n    x-berth:\n      process:\n        command: [${JSON.stringify(process.execPath)}, "-e", "setInterval(() => {}, 1000)"]\n`;

let project: TestProject | undefined;
afterEach(() => project?.cleanup());

describe('the CLI and the daemon', () => {
  it('says the stack is not running, and how to start it, when no daemon answers', () => {
    project = new TestProject({ 'compose.yaml': COMPOSE });
    const logs = project.run(['logs']);
    expect(logs.status).toBe(1);
    expect(logs.stderr).toContain('DAEMON_UNREACHABLE: stack');
    expect(logs.stderr).toContain('hint: start it with `berth up -d`');
    const ps = project.run(['ps']);
    expect(ps.status).toBe(0);
    expect(ps.stderr).toContain('is not running');
  });

  it('refuses --scale of a service the stack does not have as a usage error, before starting a daemon', () => {
    project = new TestProject({ 'compose.yaml': COMPOSE });
    const up = project.run(['up', '-d', '--scale', 'nope=2']);
    expect(up.status).toBe(2);
    expect(up.stderr).toContain('USAGE: no such service: nope');
    expect(existsSync(path.join(project.dir, '.berth/daemon.json'))).toBe(false);
  });

  it('reports a daemon that cannot start, with the end of its log', () => {
    project = new TestProject({ 'compose.yaml': COMPOSE });
    mkdirSync(path.join(project.dir, '.berth/daemon.sock/blocked'), { recursive: true }); // the socket path is taken by a folder
    const up = project.run(['up', '-d']);
    expect(up.status).toBe(1);
    expect(up.stderr).toContain('DAEMON_START: the berth daemon exited with status 1 while starting');
  });

  it('refuses a stack with a service it cannot run before starting any of it, saying how to fix it', () => {
    project = new TestProject({ 'compose.yaml': `${COMPOSE}  proxy:\n    image: nginx:1.25\n` });
    const up = project.run(['up', '-d']);
    expect(up.status).toBe(1);
    expect(up.stderr).toContain('RUNTIME_UNRUNNABLE: service proxy uses the image `nginx:1.25`, which berth cannot run as a local process');
    expect(up.stderr).toContain('x-berth: {process: {command: [...]}}');
    expect(project.ps()).toEqual([]);
  });

  it('fails up with STACK_FAILED naming the service whose replica cannot start', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      project = new TestProject({ 'compose.yaml': `${COMPOSE}    ports: ["127.0.0.1:${port}:80"]\n` });
      const up = project.run(['up', '-d']);
      expect(up.status).toBe(1);
      expect(up.stderr).toContain(`cannot listen on 127.0.0.1:${port}`);
      expect(up.stderr).toContain('STACK_FAILED: a service failed to start');
    } finally {
      taken.close();
    }
  });

  it('a new daemon takes over the replicas a killed one left running, without restarting them', async () => {
    project = new TestProject({ 'compose.yaml': COMPOSE });
    expect(project.run(['up', '-d']).status).toBe(0);
    const old = await waitFor('web running', () => project?.replica('web')?.pid);
    const daemon = JSON.parse(readFileSync(path.join(project.dir, '.berth/daemon.json'), 'utf8')) as { pid: number };
    process.kill(daemon.pid, 'SIGKILL');
    await waitFor('the daemon to be gone', () => !groupAlive(daemon.pid) || undefined);
    expect(groupAlive(old)).toBe(true); // the replica outlives its daemon: the data plane holds it
    const ps = project.run(['ps']);
    expect(ps.stderr).toContain('its replicas and edge proxy keep serving');
    expect(ps.stdout).toMatch(/web-1\s+running/);
    expect(project.run(['up', '-d']).status).toBe(0);
    expect(project.replica('web')?.pid).toBe(old);
    expect(project.replica('web')?.status).toBe('running');
  });

  it('a new daemon stops what was left running when the data plane died too, and starts the stack afresh', async () => {
    project = new TestProject({ 'compose.yaml': COMPOSE });
    expect(project.run(['up', '-d']).status).toBe(0);
    const old = await waitFor('web running', () => project?.replica('web')?.pid);
    for (const file of ['daemon.json', 'plane.json']) {
      const { pid } = JSON.parse(readFileSync(path.join(project.dir, '.berth', file), 'utf8')) as { pid: number };
      process.kill(pid, 'SIGKILL');
      await waitFor(`${file} process to be gone`, () => !groupAlive(pid) || undefined);
    }
    expect(groupAlive(old)).toBe(true);
    expect(project.run(['up', '-d']).status).toBe(0);
    const fresh = await waitFor('web running under the new daemon', () => project?.replica('web')?.pid);
    expect(fresh).not.toBe(old);
    await waitFor('the old replica to be stopped', () => !groupAlive(old));
  });

  it('fails up with PROXY_LISTEN, saying how to choose another port, when the edge proxy port is taken', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '0.0.0.0', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const routed = `services:\n  web:\n    expose: ["80"]\n    x-berth:\n      routes: [{ host: web.localhost }]\n      process:\n        command: [${JSON.stringify(process.execPath)}, "-e", "setInterval(() => {}, 1000)"]\n`;
      project = new TestProject({ 'compose.yaml': routed });
      const up = project.run(['up', '-d', '--http-port', String(port)]);
      expect(up.status).toBe(1);
      expect(up.stderr).toContain(`PROXY_LISTEN: the edge proxy cannot listen on port ${port}: EADDRINUSE`);
      expect(up.stderr).toContain('--http-port');
    } finally {
      taken.close();
    }
  });

  it('has --help on every command', () => {
    project = new TestProject({ 'compose.yaml': COMPOSE });
    for (const verb of ['up', 'down', 'ps', 'logs', 'start', 'stop', 'restart', 'exec', 'config', 'deploy', 'rollback', 'releases']) {
      const help = project.run([verb, '--help']);
      expect(help.status, verb).toBe(0);
      expect(help.stdout, verb).toContain(`Usage: berth ${verb}`);
    }
  });

  it('runs a command with the service environment through exec', async () => {
    project = new TestProject({ 'compose.yaml': `${COMPOSE}    environment:\n      GREETING: hello from web\n` });
    expect(project.run(['up', '-d', '--wait']).status).toBe(0);
    const exec = project.run(['exec', 'web', '--', 'sh', '-c', 'echo "$GREETING on $HOST:$PORT"']);
    expect(exec.status, exec.stderr).toBe(0);
    expect(exec.stdout).toMatch(/^hello from web on 127\.0\.0\.1:\d+\n$/);
    const failing = project.run(['exec', 'web', '--', 'sh', '-c', 'exit 3']);
    expect(failing.status).toBe(3);
  });
});

describe('berth up run several times at once', () => {
  it('ends with one daemon that runs the stack, and down stops all of it', async () => {
    project = new TestProject({ 'compose.yaml': COMPOSE });
    const dir = project.dir;
    const ups = [1, 2, 3].map(() => spawnBerth(['up', '-d'], { cwd: dir }));
    const results = await Promise.all(ups.map((up) => up.exited));
    expect(results, ups.map((up) => up.output.stderr).join('\n')).toEqual(ups.map(() => ({ code: 0, signal: null })));
    const web = await waitFor('web running', () => project?.replica('web')?.pid);
    expect(daemonsOf(dir)).toHaveLength(1);
    expect(project.run(['down']).status).toBe(0);
    await waitFor('web stopped', () => !groupAlive(web));
    await waitFor('no daemon left', () => daemonsOf(dir).length === 0);
  });
});

/** Pids of berth daemons serving the project folder. */
function daemonsOf(dir: string): number[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout;
  return ps.split('\n').filter((line) => line.includes('daemon/main') && line.includes(`--project-dir ${dir}`)).map((line) => Number.parseInt(line, 10));
}

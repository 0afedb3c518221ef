/**
 * Time to load a 500-service compose file (parse, interpolate, validate, merge, normalize), printed as a figure
 * and as a ratio against docker-compose (v1) `config` on the same file when it is installed. Not asserted anywhere.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { loadStack } from '../src/spec/load.js';
import { defaultProjectOptions } from '../src/spec/project-options.js';

const SERVICES = 500;
const RUNS = 10;

function composeDocument(): Record<string, unknown> {
  const services: Record<string, unknown> = {};
  for (let i = 0; i < SERVICES; i++) {
    services[`svc-${i}`] = {
      image: `registry.example/app-${i % 20}:\${TAG:-1.0.${i}}`,
      command: ['gunicorn', 'app:app', '--bind', `0.0.0.0:${8000 + i}`],
      environment: { DATABASE_URL: 'postgresql://u:${DB_PASSWORD:-pw}@db:5432/app', INDEX: String(i), LOG_LEVEL: '${LOG_LEVEL:-info}' },
      ports: [`${20000 + i}:${8000 + i}`],
      volumes: [`data-${i % 10}:/data`, './src:/app:ro'],
      depends_on: i > 0 ? { [`svc-${i - 1}`]: { condition: 'service_started' } } : {},
      healthcheck: { test: ['CMD', 'curl', '-f', `http://localhost:${8000 + i}/health`], interval: '10s', timeout: '5s', retries: 3 },
      restart: 'unless-stopped',
      labels: { 'com.example.tier': i % 2 ? 'api' : 'worker' },
      deploy: { resources: { limits: { cpus: '0.5', memory: '256M' } } },
    };
  }
  const volumes = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`data-${i}`, {}]));
  return { services, volumes };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

export function benchLoad500(): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-'));
  try {
    writeFileSync(path.join(dir, 'docker-compose.yml'), stringify(composeDocument()));
    const options = defaultProjectOptions({ workingDirectory: dir, environment: { HOME: os.homedir() } });
    loadStack(options); // warm up: schema compilation and module loading happen once per process
    const berthMs = Array.from({ length: RUNS }, () => {
      const start = performance.now();
      loadStack(options);
      return performance.now() - start;
    });
    const berth = median(berthMs);
    console.log(`load ${SERVICES} services: berth ${berth.toFixed(1)} ms (median of ${RUNS}, in-process, warm)`);

    const peer = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
    if (peer.status !== 0) {
      console.log('  docker-compose (v1) not installed: no peer ratio (apt-get install docker-compose)');
      return;
    }
    const cliRuns = 3;
    const time = (command: string, args: string[]) => median(Array.from({ length: cliRuns }, () => {
      const start = performance.now();
      const result = spawnSync(command, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, COMPOSE_PROJECT_NAME: 'bench' } });
      if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`);
      return performance.now() - start;
    }));
    const berthCli = time(process.execPath, [path.resolve('bin/berth.js'), 'config', '-q']);
    const v1Cli = time('docker-compose', ['config', '-q']);
    console.log(`  whole command, config -q (median of ${cliRuns}): berth ${berthCli.toFixed(0)} ms, docker-compose v1 ${v1Cli.toFixed(0)} ms`);
    console.log(`  ratio docker-compose / berth: ${(v1Cli / berthCli).toFixed(2)}x (above 1 = berth is faster)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

import { describe, expect, it } from 'vitest';
import { parseBerthServiceOptions } from './berth-options.js';
import { parseYaml } from './parse-yaml.js';
import { StageContext } from './stage-context.js';

/** Parses `services.web.x-berth` with `line` as its body (indented under it). */
function health(line: string) {
  const parsed = parseYaml(`services:\n  web:\n    x-berth:\n      ${line}\n`, 'compose.yml');
  const ctx = new StageContext(parsed.sources);
  const root = parsed.value as { services: { web: Record<string, unknown> } };
  const options = parseBerthServiceOptions(root.services.web['x-berth'], ctx, ['services', 'web', 'x-berth']);
  return { health: options.health, lines: ctx.issues.map((issue) => issue.format()) };
}

const DEFAULT_TIMING = { intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0, startIntervalMs: 5_000 };

describe('x-berth health', () => {
  it('reads an http path with compose healthcheck defaults for the timings', () => {
    expect(health('health: {http: /health}')).toEqual({
      health: { check: { kind: 'http', path: '/health' }, ...DEFAULT_TIMING }, lines: [],
    });
  });

  it('reads an http check with port, status and every timing, accepting numbers interpolation left as strings', () => {
    const line = 'health: {http: {path: /healthz, port: "8000", status: 204}, interval: 5s, timeout: 2s, retries: "5", start_period: 1m, start_interval: 1s}';
    expect(health(line)).toEqual({
      health: {
        check: { kind: 'http', path: '/healthz', port: 8000, status: 204 },
        intervalMs: 5_000, timeoutMs: 2_000, retries: 5, startPeriodMs: 60_000, startIntervalMs: 1_000,
      },
      lines: [],
    });
  });

  it('reads a tcp check written as an empty key, an empty mapping or with a port', () => {
    expect(health('health:\n        tcp:').health?.check).toEqual({ kind: 'tcp' });
    expect(health('health: {tcp: {}}').health?.check).toEqual({ kind: 'tcp' });
    expect(health('health: {tcp: {port: 6379}, start_period: 0}')).toEqual({
      health: { check: { kind: 'tcp', port: 6379 }, ...DEFAULT_TIMING }, lines: [],
    });
  });

  it('is absent when the service has no x-berth health', () => {
    expect(health('routes: []').health).toBeUndefined();
  });

  it.each([
    ['health: {interval: 5s}', 'compose.yml:4:15 SPEC_BERTH services.web.x-berth.health: nothing to check: give `http` or `tcp`\n  hint: e.g. health: {http: /health} or health: {tcp: {}}'],
    ['health: {http: /h, tcp: {}}', 'compose.yml:4:15 SPEC_BERTH services.web.x-berth.health: give either `http` or `tcp`, not both'],
    ['health: /health', 'compose.yml:4:15 SPEC_BERTH services.web.x-berth.health: expected a mapping, got the string "/health"'],
    ['health: {http: health}', 'compose.yml:4:22 SPEC_BERTH services.web.x-berth.health.http: expected a path starting with `/`, got "health"'],
    ['health: {http: [/h]}', 'compose.yml:4:22 SPEC_BERTH services.web.x-berth.health.http: expected a string or a mapping, got a list'],
    ['health: {http: {port: 80}}', 'compose.yml:4:22 SPEC_BERTH services.web.x-berth.health.http: missing required key `path`'],
    ['health: {http: {path: /h, status: 99}}', 'compose.yml:4:41 SPEC_BERTH services.web.x-berth.health.http.status: expected an HTTP status code from 100 to 599, got 99'],
    ['health: {http: {path: /h, status: ok}}', 'compose.yml:4:41 SPEC_BERTH services.web.x-berth.health.http.status: expected an HTTP status code like 200, got "ok"'],
    ['health: {http: {path: /h, staus: 200}}', 'compose.yml:4:33 SPEC_BERTH services.web.x-berth.health.http.staus: unknown key `staus` in `x-berth.health.http` of service `web` — did you mean `status`?'],
    ['health: {tcp: {port: 0}}', 'compose.yml:4:28 SPEC_BERTH services.web.x-berth.health.tcp.port: expected a port number from 1 to 65535, got 0'],
    ['health: {tcp: 6379}', 'compose.yml:4:21 SPEC_BERTH services.web.x-berth.health.tcp: expected a mapping or null, got the number 6379'],
    ['health: {http: /h, interval: 10}', 'compose.yml:4:36 SPEC_DURATION services.web.x-berth.health.interval: cannot read duration "10": "10" has no unit\n  hint: use a duration like 10s, 1m30s or 500ms'],
    ['health: {http: /h, interval: 0s}', 'compose.yml:4:36 SPEC_BERTH services.web.x-berth.health.interval: expected a duration greater than 0, got "0s"'],
    ['health: {http: /h, start_period: -1s}', 'compose.yml:4:40 SPEC_BERTH services.web.x-berth.health.start_period: expected a duration of 0 or more, got "-1s"'],
    ['health: {http: /h, timeout: {a: 1}}', 'compose.yml:4:35 SPEC_BERTH services.web.x-berth.health.timeout: expected a string or an integer, got a mapping'],
    ['health: {http: /h, retries: 0}', 'compose.yml:4:35 SPEC_BERTH services.web.x-berth.health.retries: expected at least 1 retry, got 0'],
    ['health: {http: /h, retries: many}', 'compose.yml:4:35 SPEC_BERTH services.web.x-berth.health.retries: expected a whole number, got "many"'],
    ['health: {http: /h, retris: 3}', 'compose.yml:4:26 SPEC_BERTH services.web.x-berth.health.retris: unknown key `retris` in `x-berth.health` of service `web` — did you mean `retries`?'],
  ])('rejects %s', (line, expected) => {
    const { health: parsed, lines } = health(line);
    expect(lines).toEqual([expected]);
    expect(parsed).toBeUndefined();
  });
});

import { it } from 'vitest';
import { parseBerthServiceOptions } from '/work/main/src/spec/berth-options.js';
import { parseYaml } from '/work/main/src/spec/parse-yaml.js';
import { StageContext } from '/work/main/src/spec/stage-context.js';
const cases = [
  'health: {http: /health}',
  'health: {http: {path: /healthz, port: "8000", status: 204}, interval: 5s, timeout: 2s, retries: "5", start_period: 1m, start_interval: 1s}',
  'health:\n        tcp:',
  'health: {tcp: {port: 6379}}',
  'health: {interval: 5s}',
  'health: {http: /h, tcp: {}}',
  'health: {http: health}',
  'health: {http: {port: 80}}',
  'health: {http: {path: /h, status: 99}}',
  'health: {http: {path: /h, status: ok}}',
  'health: {http: {path: /h, staus: 200}}',
  'health: {tcp: {port: 0}}',
  'health: {tcp: 6379}',
  'health: {http: /h, interval: 10}',
  'health: {http: /h, interval: 0s}',
  'health: {http: /h, interval: -1s}',
  'health: {http: /h, start_period: 0}',
  'health: {http: /h, timeout: {a: 1}}',
  'health: {http: /h, retries: 0}',
  'health: {http: /h, retries: -1}',
  'health: {http: /h, retris: 3}',
  'health: /health',
  'health: {http: [/h]}',
];
it('x', () => {
  for (const c of cases) {
    const parsed = parseYaml(`services:\n  web:\n    x-berth:\n      ${c}\n`, 'compose.yml');
    const ctx = new StageContext(parsed.sources);
    const root = parsed.value as any;
    const o = parseBerthServiceOptions(root.services.web['x-berth'], ctx, ['services', 'web', 'x-berth']);
    console.log(c, '\n  =>', JSON.stringify(o.health), ctx.issues.map((i) => i.format()));
  }
});

import { describe, expect, it } from 'vitest';
import type { Service } from '../../model/stack.js';
import { parseBerthServiceOptions } from '../berth-options.js';
import { parseYaml } from '../parse-yaml.js';
import { StageContext } from '../stage-context.js';
import { testService, testStack } from './rules/test-stack.js';
import { validateComposeSchema } from './schema.js';
import { validateStack } from './validate.js';

/** Runs a snippet through the schema, then every service's x-berth; returns the formatted errors. */
function errorsOf(yaml: string): string[] {
  const parsed = parseYaml(yaml, 'compose.yml');
  const ctx = new StageContext(parsed.sources);
  validateComposeSchema(parsed.value, ctx);
  const services = (parsed.value as { services?: Record<string, Record<string, unknown> | null> }).services ?? {};
  for (const [name, service] of Object.entries(services)) {
    if (service && 'x-berth' in service) parseBerthServiceOptions(service['x-berth'], ctx, ['services', name, 'x-berth']);
  }
  return ctx.issues.map((issue) => issue.format());
}

describe('invalid compose snippets', () => {
  it.each([
    ['a misspelt service key',
      'services:\n  api:\n    image: x\n    helthcheck: {test: [CMD, "true"]}\n',
      'compose.yml:4:5 SPEC_UNKNOWN_KEY services.api.helthcheck: unknown key `helthcheck` in service `api` — did you mean `healthcheck`?'],
    ['a misspelt top-level key',
      'service:\n  api: {image: x}\n',
      'compose.yml:1:1 SPEC_UNKNOWN_KEY service: unknown top-level key `service` — did you mean `services`?'],
    ['a port given as a mapping without a known key',
      'services:\n  web:\n    image: x\n    ports:\n      - {host: 80}\n',
      'compose.yml:5:10 SPEC_UNKNOWN_KEY services.web.ports[0].host: unknown key `host` in `ports[0]` of service `web`\n  hint: remove it, or rename it `x-host` to keep it as your own extension'],
    ['a port given as a list',
      'services:\n  web:\n    image: x\n    ports:\n      - [80, 80]\n',
      'compose.yml:5:9 SPEC_TYPE services.web.ports[0]: expected a string, a number or a mapping, got a list'],
    ['a misspelt build key',
      'services:\n  web:\n    build: {contxt: .}\n',
      'compose.yml:3:13 SPEC_UNKNOWN_KEY services.web.build.contxt: unknown key `contxt` in `build` of service `web` — did you mean `context`?'],
    ['an unknown depends_on condition',
      'services:\n  web:\n    image: x\n    depends_on:\n      db: {condition: service_healty}\n',
      'compose.yml:5:23 SPEC_SCHEMA services.web.depends_on.db.condition: expected one of: service_started, service_healthy, service_completed_successfully, got "service_healty" — did you mean `service_healthy`?'],
    ['a long-form volume without a type',
      'services:\n  db:\n    image: x\n    volumes:\n      - {source: data, target: /data}\n',
      'compose.yml:5:9 SPEC_SCHEMA services.db.volumes[0]: missing required key `type`'],
    ['a service name with a space',
      'services:\n  "my app": {image: x}\n',
      'compose.yml:2:3 SPEC_SCHEMA services["my app"]: invalid service name `my app`: use only letters, digits, `.`, `_` and `-`'],
    ['an out-of-range cpu_percent',
      'services:\n  web:\n    image: x\n    cpu_percent: 150\n',
      'compose.yml:4:18 SPEC_SCHEMA services.web.cpu_percent: must be at most 100, got 150'],
    ['a port listed twice',
      'services:\n  web:\n    image: x\n    ports: ["80:80", "80:80"]\n',
      'compose.yml:4:22 SPEC_SCHEMA services.web.ports[1]: duplicate entry "80:80" (the same as item 0)\n  hint: remove one of the two'],
    ['an environment value that is a list',
      'services:\n  web:\n    image: x\n    environment:\n      HOSTS: [a, b]\n',
      'compose.yml:5:14 SPEC_TYPE services.web.environment.HOSTS: expected a string, a number, a boolean or null, got a list'],
    ['an unquoted number where a string is wanted',
      'services:\n  web:\n    image: x\n    user: 1000\n',
      'compose.yml:4:11 SPEC_TYPE services.web.user: expected a string, got the number 1000\n  hint: write it in quotes to make it a string: "1000"'],
    ['an unquoted version number',
      'version: 3.8\nservices:\n  web: {image: x}\n',
      'compose.yml:1:10 SPEC_TYPE version: expected a string, got the number 3.8\n  hint: write it in quotes to make it a string: "3.8"'],
    ['an empty service',
      'services:\n  web:\n',
      'compose.yml:2:3 SPEC_TYPE services.web: expected a mapping, got an empty value\n  hint: write a value after the key, or remove the key'],
    ['a misspelt x-berth key',
      'services:\n  web:\n    image: x\n    x-berth: {rutes: []}\n',
      'compose.yml:4:15 SPEC_BERTH services.web.x-berth.rutes: unknown key `rutes` in `x-berth` of service `web` — did you mean `routes`?'],
    ['an x-berth route with a URL for a host',
      'services:\n  web:\n    image: x\n    x-berth:\n      routes: [{host: "https://example.com"}]\n',
      'compose.yml:5:23 SPEC_BERTH services.web.x-berth.routes[0].host: expected a host name like `example.com` or `*.example.com` (no scheme, port or path), got "https://example.com"'],
  ])('%s', (_what, yaml, expected) => {
    expect(errorsOf(yaml)).toEqual([expected]);
  });
});

describe('invalid stacks', () => {
  const started = { condition: 'service_started', restart: false, required: true } as const;
  const published = (port: string) => ({ target: 80, published: port, protocol: 'tcp', mode: 'ingress' }) as const;

  it.each<[string, string, Service[], string]>([
    ['a dependency on a misspelt service',
      'services:\n  web:\n    image: x\n    depends_on:\n      dbb: {condition: service_started}\n  db:\n    image: y\n',
      [testService('web', { dependsOn: { dbb: started } }), testService('db')],
      'compose.yml:5:7 SPEC_REFERENCE services.web.depends_on.dbb: service `web` depends on `dbb`, which is not a service in this stack — did you mean `db`?'],
    ['a dependency cycle',
      'services:\n  web:\n    depends_on: {api: {condition: service_started}}\n  api:\n    depends_on: {web: {condition: service_started}}\n',
      [testService('web', { dependsOn: { api: started } }), testService('api', { dependsOn: { web: started } })],
      'compose.yml:5:18 SPEC_CYCLE services.api.depends_on.web: dependency cycle: api → web → api\n  hint: remove one of these depends_on entries: services in a cycle can never start'],
    ['two services on one host port',
      'services:\n  web:\n    ports: ["80:80"]\n  admin:\n    ports: ["80:8080"]\n',
      [testService('web', { ports: [published('80')] }), testService('admin', { ports: [published('80')] })],
      'compose.yml:5:13 SPEC_PORT services.admin.ports[0]: host port 80/tcp is published by both `web` and `admin`\n  hint: publish one of them on another host port, or leave the host port out to get a free one'],
    ['a container_name with replicas',
      'services:\n  worker:\n    container_name: worker\n    deploy: {replicas: 2}\n',
      [testService('worker', { containerName: 'worker', replicas: 2 })],
      'compose.yml:3:21 SPEC_SCHEMA services.worker.container_name: container_name `worker` cannot be used with 2 replicas: each container needs its own name\n  hint: remove container_name (replicas are then named <project>-<service>-1, -2, …) or run one replica'],
    ['a service with nothing to run',
      'services:\n  worker:\n    command: ["run"]\n',
      [testService('worker', { image: undefined, command: ['run'] })],
      'compose.yml:2:3 SPEC_SCHEMA services.worker: service `worker` has neither an image nor a build context\n  hint: add `image:` or `build:`, or `x-berth: {process: {command: ...}}` to run it as a local process'],
  ])('%s', (_what, yaml, services, expected) => {
    const ctx = new StageContext(parseYaml(yaml, 'compose.yml').sources);
    validateStack(testStack(services), ctx);
    expect(ctx.issues.map((issue) => issue.format())).toEqual([expected]);
  });
});

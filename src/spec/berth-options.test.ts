import { describe, expect, it } from 'vitest';
import { parseBerthServiceOptions, parseBerthStackOptions } from './berth-options.js';
import { parseYaml } from './parse-yaml.js';
import { StageContext } from './stage-context.js';

function setup(yaml: string) {
  const parsed = parseYaml(yaml, 'compose.yml');
  const ctx = new StageContext(parsed.sources);
  const root = parsed.value as Record<string, Record<string, Record<string, unknown>>>;
  const report = () => ({ lines: ctx.issues.map((issue) => issue.format()), warnings: ctx.warnings.map((w) => w.message) });
  return { root, ctx, report };
}

/** Parses the top-level `x-berth:` of the YAML. */
function berth(yaml: string) {
  const { root, ctx, report } = setup(yaml);
  return { options: parseBerthStackOptions(root['x-berth'], ctx, ['x-berth']), ...report() };
}

/** Parses `services.<service>.x-berth` of the YAML. */
function serviceBerth(yaml: string, service: string) {
  const { root, ctx, report } = setup(yaml);
  const options = parseBerthServiceOptions(root.services?.[service]?.['x-berth'], ctx, ['services', service, 'x-berth']);
  return { options, ...report() };
}

describe('parseBerthStackOptions', () => {
  it('reads the runtime and proxy ports, accepting ports that interpolation left as strings', () => {
    const { options, lines } = berth('x-berth:\n  runtime: docker\n  proxy: {http: "8080", https: 8443}\n');
    expect(lines).toEqual([]);
    expect(options).toEqual({ runtime: 'docker', proxy: { http: 8080, https: 8443 }, other: {} });
  });

  it.each([
    ['auto', 'auto'],
    ['2', 2],
    ['"3"', 3],
  ])('reads proxy workers %s', (given, expected) => {
    const { options, lines } = berth(`x-berth:\n  proxy: {workers: ${given}}\n`);
    expect(lines).toEqual([]);
    expect(options.proxy).toEqual({ workers: expected });
  });

  it('gives the defaults when there is no x-berth', () => {
    expect(berth('services: {}\n').options).toEqual({ other: {} });
  });

  it('keeps x- keys for later features and rejects other unknown keys with a did-you-mean', () => {
    expect(berth('x-berth:\n  x-later: {a: 1}\n').options.other).toEqual({ 'x-later': { a: 1 } });
    expect(berth('x-berth:\n  runtim: docker\n').lines).toEqual([
      'compose.yml:2:3 SPEC_BERTH x-berth.runtim: unknown key `runtim` in `x-berth` — did you mean `runtime`?',
    ]);
  });

  it.each([
    ['runtime: proces', 'compose.yml:2:12 SPEC_BERTH x-berth.runtime: expected one of: process, docker, swarm, got "proces" — did you mean `process`?'],
    ['proxy: {http: 80, htps: 443}', 'compose.yml:2:21 SPEC_BERTH x-berth.proxy.htps: unknown key `htps` in `x-berth.proxy` — did you mean `https`?'],
    ['proxy: {http: "80x"}', 'compose.yml:2:17 SPEC_BERTH x-berth.proxy.http: expected a port number, got "80x"'],
    ['proxy: {http: 70000}', 'compose.yml:2:17 SPEC_BERTH x-berth.proxy.http: expected a port number from 1 to 65535, got 70000'],
    ['proxy: 80', 'compose.yml:2:10 SPEC_BERTH x-berth.proxy: expected a mapping, got the number 80'],
    ['proxy: {workers: 0}', 'compose.yml:2:20 SPEC_BERTH x-berth.proxy.workers: expected `auto` or a number of worker processes from 1 to 64, got 0\n  hint: e.g. `workers: auto` (one per CPU) or `workers: 2`; 1 serves in the berth daemon itself'],
    ['proxy: {workers: many}', 'compose.yml:2:20 SPEC_BERTH x-berth.proxy.workers: expected `auto` or a number of worker processes from 1 to 64, got "many"\n  hint: e.g. `workers: auto` (one per CPU) or `workers: 2`; 1 serves in the berth daemon itself'],
  ])('rejects %s', (line, expected) => {
    expect(berth(`x-berth:\n  ${line}\n`).lines).toEqual([expected]);
  });
});

describe('parseBerthServiceOptions', () => {
  const service = (body: string) => serviceBerth(`services:\n  web:\n    x-berth:\n${body}`, 'web');

  it('splits a string command as compose splits command:, without a shell', () => {
    const { options, lines } = service('      process: {command: "node server.js --name \\"a b\\" \'$HOME\'", cwd: ./web}\n');
    expect(lines).toEqual([]);
    expect(options.process).toEqual({ command: ['node', 'server.js', '--name', 'a b', '$HOME'], cwd: './web' });
  });

  it('takes a list command as written', () => {
    expect(service('      process: {command: [sh, -c, "a && b"]}\n').options.process).toEqual({ command: ['sh', '-c', 'a && b'] });
  });

  it('warns that a shell operator ends a string command, as it does for compose\'s command:', () => {
    const { warnings, options } = service('      process: {command: "npm run build && npm start"}\n');
    expect(options.process?.command).toEqual(['npm', 'run', 'build']);
    expect(warnings).toEqual([
      'only the words before `&&` run (there is no shell, as in compose); "&& npm start" is dropped; '
        + 'write ["sh", "-c", "npm run build && npm start"] to run it through a shell',
    ]);
  });

  it('reads routes with their defaults: every path, the first port, no prefix stripping', () => {
    const { options, lines } = service([
      '      routes:',
      '        - host: example.com',
      '        - {host: [api.example.com, "*.api.example.com"], path: [/v1, /v2], port: "8000", strip_prefix: "true"}',
      '      x-deploy: {strategy: blue-green}',
      '',
    ].join('\n'));
    expect(lines).toEqual([]);
    expect(options).toEqual({
      routes: [
        { hosts: ['example.com'], paths: ['/'], stripPrefix: false },
        { hosts: ['api.example.com', '*.api.example.com'], paths: ['/v1', '/v2'], port: 8000, stripPrefix: true },
      ],
      other: { 'x-deploy': { strategy: 'blue-green' } },
    });
  });

  it('gives the defaults when the service has no x-berth', () => {
    expect(serviceBerth('services:\n  web: {image: x}\n', 'web').options).toEqual({ routes: [], other: {} });
  });

  it.each([
    ['      rutes: []\n', 'compose.yml:4:7 SPEC_BERTH services.web.x-berth.rutes: unknown key `rutes` in `x-berth` of service `web` — did you mean `routes`?'],
    ['      routes: [{path: /}]\n', 'compose.yml:4:16 SPEC_BERTH services.web.x-berth.routes[0]: missing required key `host`'],
    ['      routes: [{host: "http://x.com"}]\n', 'compose.yml:4:23 SPEC_BERTH services.web.x-berth.routes[0].host: expected a host name like `example.com` or `*.example.com` (no scheme, port or path), got "http://x.com"'],
    ['      routes: [{host: x.com, path: api}]\n', 'compose.yml:4:36 SPEC_BERTH services.web.x-berth.routes[0].path: expected a path starting with `/`, got "api"'],
    ['      routes: [{host: x.com, strip_prefix: maybe}]\n', 'compose.yml:4:44 SPEC_BERTH services.web.x-berth.routes[0].strip_prefix: expected true or false, got "maybe"'],
    ['      routes: [{host: x.com, prot: 80}]\n', 'compose.yml:4:30 SPEC_BERTH services.web.x-berth.routes[0].prot: unknown key `prot` in `x-berth.routes[0]` of service `web` — did you mean `port`?'],
    ['      process: {command: "node \'server.js"}\n', 'compose.yml:4:26 SPEC_BERTH services.web.x-berth.process.command: cannot split the command "node \'server.js": the single quote is never closed\n  hint: fix the quoting, or write the command as a list: ["program", "arg"]'],
    ['      process: {command: "   "}\n', 'compose.yml:4:26 SPEC_BERTH services.web.x-berth.process.command: the command is empty\n  hint: give the program to run, e.g. `npm start`'],
    ['      process: {command: []}\n', 'compose.yml:4:26 SPEC_BERTH services.web.x-berth.process.command: the command is empty'],
    ['      process: {command: ""}\n', 'compose.yml:4:26 SPEC_BERTH services.web.x-berth.process.command: the command is empty'],
  ])('rejects %s', (body, expected) => {
    expect(service(body).lines).toEqual([expected]);
  });
});

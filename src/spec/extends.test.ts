import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BerthError } from '../errors.js';
import { applyExtends, type ExtendsFile } from './extends.js';
import { resolveMarkers } from './merge/merge.js';
import { parseYaml } from './parse-yaml.js';
import { StageContext } from './stage-context.js';
import { OverrideMarker, ResetMarker } from './yaml-tags.js';

type Dict = Record<string, unknown>;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'berth-extends-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(relative: string, text: string): string {
  const file = path.join(dir, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

const loadFile = (file: string): ExtendsFile => {
  const parsed = parseYaml(readFileSync(file, 'utf8'), file);
  return { dict: parsed.value as Dict, sources: parsed.sources };
};

/** Loads `compose.yml` (written from `text`) and resolves its extends. */
function extend(text: string): { services: Dict; ctx: StageContext } {
  const file = write('compose.yml', text);
  const loaded = loadFile(file);
  const ctx = new StageContext(loaded.sources);
  const result = applyExtends(loaded.dict, ctx, { file, loadFile });
  return { services: result.services as Dict, ctx };
}

describe('applyExtends in one file', () => {
  it('merges the extended service under the extending one (short form) and drops `extends`', () => {
    const { services, ctx } = extend(`
services:
  base: {image: app, environment: {A: '1', B: '2'}, ports: [{target: 80, published: '80'}]}
  web:
    extends: base
    environment: {B: two}
    ports: [{target: 81, published: '81'}]
`);
    expect(ctx.issues).toEqual([]);
    expect(services.web).toEqual({
      image: 'app', environment: { A: '1', B: 'two' }, ports: [{ target: 80, published: '80' }, { target: 81, published: '81' }],
    });
    expect(services.base).toEqual({ image: 'app', environment: { A: '1', B: '2' }, ports: [{ target: 80, published: '80' }] });
  });

  it('follows chains (a extends b extends c) and inherits depends_on', () => {
    const { services, ctx } = extend(`
services:
  c: {image: c, depends_on: {db: {condition: service_healthy, required: true}}}
  b: {extends: {service: c}, command: [b]}
  a: {extends: b, depends_on: {cache: {condition: service_started, required: true}}}
  db: {image: postgres}
  cache: {image: redis}
`);
    expect(ctx.issues).toEqual([]);
    expect(services.a).toEqual({
      image: 'c', command: ['b'],
      depends_on: { db: { condition: 'service_healthy', required: true }, cache: { condition: 'service_started', required: true } },
    });
  });

  it('applies !reset and !override of the extending service, and keeps them for the merge with earlier files', () => {
    const { services } = extend(`
services:
  base: {image: app, ports: [{target: 80}], environment: {A: '1'}}
  web:
    extends: base
    ports: !reset []
    environment: !override {B: '2'}
`);
    const web = services.web as Dict;
    expect(web.ports).toBeInstanceOf(ResetMarker);
    expect(web.environment).toEqual(new OverrideMarker({ B: '2' }));
    expect(resolveMarkers(web)).toEqual({ image: 'app', environment: { B: '2' } });
  });

  it('applies an !override at its own level of a chain only (compose-go #833)', () => {
    const { services } = extend(`
services:
  one: {image: nginx, depends_on: [d1]}
  two: {extends: one, depends_on: !override [d2]}
  main: {extends: two, depends_on: [d3]}
`);
    const started = { condition: 'service_started', required: true };
    expect(services.main).toEqual({ image: 'nginx', depends_on: { d2: started, d3: started } });
  });

  it.each([
    ['an unknown service', 'services:\n  web:\n    extends: nope\n', /`web` extends `nope`, which is not defined in this file/, 'services.web.extends', 3],
    ['a cycle', 'services:\n  a: {extends: b}\n  b:\n    extends: a\n', /extends cycle: (a → b → a|b → a → b)/, undefined, undefined],
    ['a service extending itself', 'services:\n  a:\n    extends: a\n', /extends cycle: a → a/, 'services.a.extends', 3],
    ['a reference without a service', 'services:\n  a:\n    extends: {file: x.yml}\n', /extends must name a service/, 'services.a.extends', 3],
  ])('reports %s as SPEC_EXTENDS at the extends key', (_case, text, message, where, line) => {
    const { services, ctx } = extend(text);
    expect(ctx.issues).toHaveLength(1);
    const issue = ctx.issues[0] as BerthError;
    expect(issue.code).toBe('SPEC_EXTENDS');
    expect(issue.message).toMatch(message);
    if (where) expect(issue.path).toBe(where);
    if (line) expect(issue.source?.line).toBe(line);
    for (const service of Object.values(services)) expect(service).not.toHaveProperty('extends');
  });

  it('returns the dict unchanged when nothing extends, and never modifies its input', () => {
    const dict = { services: { web: { image: 'a' } } };
    expect(applyExtends(dict, new StageContext(), { file: '/x/compose.yml', loadFile })).toBe(dict);
    const input = { services: { base: { image: 'a' }, web: { extends: 'base' } } };
    applyExtends(input, new StageContext(), { file: '/x/compose.yml', loadFile });
    expect(input.services.web).toEqual({ extends: 'base' });
  });
});

describe('applyExtends across files', () => {
  it('loads the file relative to the extending file and rebases its relative paths to the other folder', () => {
    write('common/base.yml', `
services:
  app:
    build: {context: ./app, additional_contexts: {lib: ../lib, img: 'docker-image://alpine'}}
    env_file: [{path: ./app.env, required: true}]
    volumes:
      - {type: bind, source: ./data, target: /data}
      - {type: volume, source: cache, target: /cache}
  remote:
    build: {context: 'https://github.com/acme/app.git#main'}
`);
    const { services, ctx } = extend(`
services:
  web: {extends: {service: app, file: common/base.yml}, image: web}
  worker: {extends: {service: remote, file: ./common/base.yml}}
`);
    expect(ctx.issues).toEqual([]);
    const common = path.join(dir, 'common');
    expect(services.web).toEqual({
      image: 'web',
      build: { context: path.join(common, 'app'), additional_contexts: { lib: path.join(dir, 'lib'), img: 'docker-image://alpine' } },
      env_file: [{ path: path.join(common, 'app.env'), required: true }],
      volumes: [{ type: 'bind', source: path.join(common, 'data'), target: '/data' }, { type: 'volume', source: 'cache', target: '/cache' }],
    });
    expect(services.worker).toEqual({ build: { context: 'https://github.com/acme/app.git#main' } });
  });

  it('follows a chain into a third file relative to the second, and keeps positions of inherited values', () => {
    write('a/second.yml', 'services:\n  mid:\n    extends: {service: root, file: b/third.yml}\n    command: [mid]\n');
    write('a/b/third.yml', 'services:\n  root:\n    image: root\n    volumes: [{type: bind, source: ./x, target: /x}]\n');
    const { services, ctx } = extend('services:\n  web:\n    extends: {service: mid, file: a/second.yml}\n');
    expect(ctx.issues).toEqual([]);
    expect(services.web).toEqual({
      image: 'root', command: ['mid'], volumes: [{ type: 'bind', source: path.join(dir, 'a', 'b', 'x'), target: '/x' }],
    });
    expect(ctx.sources.value(['services', 'web', 'image'])).toEqual({ file: path.join(dir, 'a', 'b', 'third.yml'), line: 3, column: 12 });
    expect(ctx.sources.value(['services', 'web', 'command'])?.file).toBe(path.join(dir, 'a', 'second.yml'));
  });

  it.each([
    ['a missing file', 'services:\n  web:\n    extends: {service: a, file: missing.yml}\n', /extends.file "missing.yml" does not exist/],
    ['a service the other file lacks', 'services:\n  web:\n    extends: {service: nope, file: other.yml}\n', /`web` extends `nope`, which is not defined in other.yml/],
    ['a cycle through two files', 'services:\n  web:\n    extends: {service: back, file: other.yml}\n', /extends cycle: web → back \(other.yml\) → web/],
  ])('reports %s as SPEC_EXTENDS', (_case, text, message) => {
    write('other.yml', 'services:\n  a: {image: a}\n  back:\n    extends: {service: web, file: compose.yml}\n');
    const { ctx } = extend(text);
    expect(ctx.issues.map((issue) => issue.code)).toEqual(['SPEC_EXTENDS']);
    expect(ctx.issues[0]?.message).toMatch(message);
    expect(ctx.issues[0]?.source?.file).toBe(path.join(dir, 'compose.yml'));
  });

  it('keeps the errors the other file fails to load with, and restores the stage\'s source map', () => {
    write('other.yml', 'services: {a: {image: a}}\n');
    const file = write('compose.yml', 'services:\n  web: {extends: {service: a, file: other.yml}}\n');
    const loaded = loadFile(file);
    const ctx = new StageContext(loaded.sources);
    ctx.error('SPEC_TYPE', ['services'], 'an earlier problem');
    const failing = (): ExtendsFile => {
      ctx.sources = loadFile(path.join(dir, 'other.yml')).sources;
      throw new BerthError('SPEC_INVALID', '2 problems', {
        issues: [new BerthError('SPEC_YAML', 'bad'), new BerthError('SPEC_TYPE', 'worse')],
      });
    };
    const result = applyExtends(loaded.dict, ctx, { file, loadFile: failing });
    expect(ctx.issues.map((issue) => issue.message)).toEqual(['an earlier problem', 'bad', 'worse']);
    expect(ctx.sources).toBe(loaded.sources);
    expect((result.services as Dict).web).toEqual({});
  });
});

import { describe, expect, it } from 'vitest';
import { parseYaml } from '../parse-yaml.js';
import { StageContext } from '../stage-context.js';
import { validateComposeSchema } from './schema.js';

function check(yaml: string): { ctx: StageContext; lines: string[] } {
  const parsed = parseYaml(yaml, 'compose.yml');
  const ctx = new StageContext(parsed.sources);
  validateComposeSchema(parsed.value, ctx);
  return { ctx, lines: ctx.issues.map((issue) => issue.format()) };
}

describe('validateComposeSchema', () => {
  it('accepts a typical file whose interpolated values arrived as strings', () => {
    const { lines } = check(`
version: "3.8"
x-common: &common
  restart: unless-stopped
services:
  api:
    <<: *common
    build: {context: ./api, args: {NODE_ENV: production}}
    command: uvicorn app.main:app --host 0.0.0.0 --port 8000
    ports: ["8000:8000", 9000, {target: "8000", published: "8001", protocol: tcp}]
    expose: ["8000", 9001]
    environment: [A=1, B]
    env_file: [.env, {path: .env.local, required: false}]
    depends_on:
      db: {condition: service_healthy, restart: true}
    deploy:
      replicas: "2"
      resources: {limits: {cpus: "0.5", memory: 512M}}
      restart_policy: {condition: on-failure, max_attempts: "3", delay: 5s}
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:8000/health"]
      interval: 10s
      retries: "5"
    scale: "2"
    stop_grace_period: 10s
    networks: {back: {aliases: [api]}}
    volumes: ["./src:/app", "data:/data:ro", {type: bind, source: ., target: /x}]
    secrets: [token]
    x-berth: {routes: [{host: api.localhost}]}
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD:
      PORT: 5432
      DEBUG: true
    healthcheck: {test: pg_isready}
volumes:
  data:
networks:
  back:
secrets:
  token: {file: ./token.txt}
x-berth:
  runtime: process
`);
    expect(lines).toEqual([]);
  });

  it('reports an unknown service key at the key, with a did-you-mean', () => {
    const { ctx } = check('services:\n  api:\n    image: x\n    helthcheck: {}\n');
    expect(ctx.issues).toHaveLength(1);
    const [issue] = ctx.issues;
    expect(issue?.code).toBe('SPEC_UNKNOWN_KEY');
    expect(issue?.path).toBe('services.api.helthcheck');
    expect(issue?.message).toBe('unknown key `helthcheck` in service `api` — did you mean `healthcheck`?');
    expect(issue?.source).toEqual({ file: 'compose.yml', line: 4, column: 5 });
  });

  it('suggests an x- name for an unknown key nothing resembles', () => {
    const { ctx } = check('services:\n  api:\n    image: x\n    owner: me\n');
    expect(ctx.issues[0]?.hint).toBe('remove it, or rename it `x-owner` to keep it as your own extension');
  });

  it('collapses a oneOf into the error of the branch whose type fits', () => {
    const { lines } = check('services:\n  api:\n    build:\n      contxt: .\n');
    expect(lines).toEqual([
      'compose.yml:4:7 SPEC_UNKNOWN_KEY services.api.build.contxt: unknown key `contxt` in `build` of service `api` — did you mean `context`?',
    ]);
  });

  it('collapses a oneOf that no branch fits into one type error', () => {
    const { lines } = check('services:\n  api:\n    image: x\n    ports:\n      - [80]\n');
    expect(lines).toEqual([
      'compose.yml:5:9 SPEC_TYPE services.api.ports[0]: expected a string, a number or a mapping, got a list',
    ]);
  });

  it('suggests quotes when a string was wanted and a number or boolean came', () => {
    const { ctx } = check('services:\n  api:\n    image: x\n    restart: 5\n');
    expect(ctx.issues[0]?.message).toBe('expected a string, got the number 5');
    expect(ctx.issues[0]?.hint).toBe('write it in quotes to make it a string: "5"');
  });

  it('points at the key of an empty value', () => {
    const { lines } = check('services:\n  api:\n');
    expect(lines).toEqual(['compose.yml:2:3 SPEC_TYPE services.api: expected a mapping, got an empty value\n  hint: write a value after the key, or remove the key']);
  });

  it('reports at most one error per path, in file order', () => {
    const { lines } = check('services:\n  b:\n    image: [x]\n  a:\n    imag: x\n    cpu_percent: 300\n');
    expect(lines).toEqual([
      'compose.yml:3:12 SPEC_TYPE services.b.image: expected a string, got a list',
      'compose.yml:5:5 SPEC_UNKNOWN_KEY services.a.imag: unknown key `imag` in service `a` — did you mean `image`?',
      'compose.yml:6:18 SPEC_SCHEMA services.a.cpu_percent: must be at most 100, got 300',
    ]);
  });

  it('checks merge markers as the merge will see them: !reset absent, !override unwrapped', () => {
    expect(check('services:\n  api:\n    image: x\n    ports: !reset []\n    build: !override {context: .}\n').lines).toEqual([]);
    expect(check('services:\n  api:\n    image: x\n    ports: !override {a: 1}\n').lines).toEqual([
      'compose.yml:4:22 SPEC_TYPE services.api.ports: expected a list, got a mapping\n  hint: write a list here: one `- item` per line',
    ]);
  });

  it('leaves x- extensions to their owners', () => {
    expect(check('x-anything: [1, {a: b}]\nservices:\n  api:\n    image: x\n    x-berth: {whatever: 1}\n').lines).toEqual([]);
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { BerthError } from '../../src/errors.js';
import { loadStack } from '../../src/spec/load.js';
import { defaultProjectOptions } from '../../src/spec/project-options.js';
import { toComposeDocument } from '../../src/spec/serialize.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'berth-property-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let counter = 0;
function loadText(text: string): string {
  const dir = path.join(work, `p${counter++}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'compose.yaml'), text);
  const { stack } = loadStack(defaultProjectOptions({ workingDirectory: dir, environment: { HOME: '/home/user' }, projectName: 'prop' }));
  return stringify(toComposeDocument(stack), { lineWidth: 0 });
}

/** A string as a user would write it in YAML: a literal `$` is written `$$`. */
const text = (options: { minLength?: number; maxLength: number }) => fc.string(options).map((s) => s.replace(/\$/g, '$$$$'));
const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
const envValue = fc.oneof(text({ maxLength: 12 }), fc.constantFrom('true', '8000', 'a=b', 'x y', '$$HOME', "it's"));
const port = fc.integer({ min: 1, max: 65535 });
const duration = fc.constantFrom('1s', '500ms', '1m30s', '10s', '2h');

const serviceArb = (earlier: string[], volumes: string[]) => fc.record({
  image: fc.constantFrom('nginx:1.25', 'redis:7-alpine', 'postgres:15', 'python:3.11-slim'),
  command: fc.option(fc.array(text({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 }), { nil: undefined }),
  environment: fc.dictionary(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,6}$/), envValue, { maxKeys: 4 }),
  ports: fc.array(fc.tuple(port, port).map(([h, c]) => `${h}:${c}`), { maxLength: 2 }),
  restart: fc.constantFrom('no', 'always', 'unless-stopped', 'on-failure', 'on-failure:3'),
  depends_on: fc.subarray(earlier),
  volumes: fc.subarray(volumes).map((vs) => vs.map((v, i) => `${v}:/data/${i}`)),
  healthcheck: fc.option(fc.record({ test: fc.constant(['CMD', 'true']), interval: duration, retries: fc.integer({ min: 1, max: 9 }) }), { nil: undefined }),
  labels: fc.dictionary(fc.stringMatching(/^[a-z][a-z.]{0,8}$/), text({ maxLength: 6 }), { maxKeys: 2 }),
  stop_grace_period: fc.option(duration, { nil: undefined }),
});

const stackArb = fc.tuple(fc.uniqueArray(name, { minLength: 1, maxLength: 5 }), fc.uniqueArray(name, { maxLength: 3 }))
  .chain(([services, volumes]) => fc.tuple(...services.map((_, i) => serviceArb(services.slice(0, i), volumes)))
    .map((defs) => {
      const used = new Set<string>();
      const doc: Record<string, unknown> = { services: {}, volumes: Object.fromEntries(volumes.map((v) => [v, {}])) };
      defs.forEach((def, i) => {
        const clean = Object.fromEntries(Object.entries(def).filter(([, v]) => v !== undefined));
        // host ports must not clash between services
        clean.ports = def.ports.filter((p) => { const host = p.split(':')[0] as string; if (used.has(host)) return false; used.add(host); return true; });
        (doc.services as Record<string, unknown>)[services[i] as string] = clean;
      });
      return doc;
    }));

describe('property: config output is a fixed point', () => {
  it('random valid stacks survive config → load → config unchanged', () => {
    fc.assert(fc.property(stackArb, (doc) => {
      const first = loadText(stringify(doc));
      const second = loadText(first);
      expect(second).toBe(first);
    }), { numRuns: 150 });
  });
});

describe('property: the loader never crashes on mangled input', () => {
  const seed = `services:
  api:
    image: "tramites/api:\${TAG:-1}"
    ports: ["8000:8000", "127.0.0.1:9000:9000/udp"]
    environment: { A: "1", B: "\${B:-x}" }
    depends_on: { db: { condition: service_healthy } }
    healthcheck: { test: ["CMD", "curl", "-f", "http://localhost:8000/health"], interval: 10s }
    volumes: ["./app:/app:ro", "data:/data"]
  db:
    image: postgres:15
    restart: on-failure:3
volumes:
  data: {}
`;
  it('random byte mutations of a valid file give a model or a BerthError, nothing else', () => {
    const mutation = fc.array(fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 }), fc.constantFrom('replace', 'insert', 'delete')), { minLength: 1, maxLength: 6 });
    fc.assert(fc.property(mutation, (edits) => {
      let bytes = Buffer.from(seed, 'utf8');
      for (const [at, byte, kind] of edits) {
        const i = Math.min(at, bytes.length - 1);
        if (kind === 'replace') bytes[i] = byte;
        else if (kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)]);
        else bytes = Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)]);
      }
      try {
        loadText(bytes.toString('utf8'));
      } catch (error) {
        if (!(error instanceof BerthError)) throw error;
        expect(error.format()).toMatch(/^(\S+:\d+:\d+ )?[A-Z_]+/);
      }
    }), { numRuns: 400 });
  });
});

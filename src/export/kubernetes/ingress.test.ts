import { describe, expect, it } from 'vitest';
import { ExportContext } from './export-context.js';
import { ingressFor, STRIP_PREFIX_ANNOTATION } from './ingress.js';
import { stackFrom } from './test-stack.js';

function ingress(compose: string): { object: Record<string, unknown> | undefined; warnings: string[] } {
  const stack = stackFrom(compose);
  const ctx = new ExportContext(stack);
  const result = ingressFor(ctx, stack.services.web!);
  return { object: result && (JSON.parse(JSON.stringify(result.object)) as Record<string, unknown>), warnings: ctx.warnings.map((w) => w.message) };
}

const backend = (port: number) => ({ service: { name: 'web', port: { number: port } } });

describe('Ingress from x-berth routes', () => {
  it('makes one rule per host with Prefix paths to the service port', () => {
    const { object, warnings } = ingress([
      'services:', '  web:', '    image: web:1', '    expose: ["8000"]', '    x-berth:', '      routes:',
      '        - {host: [shop.example.com, www.example.com], path: [/api, /]}',
    ].join('\n'));
    expect(object).toMatchObject({
      apiVersion: 'networking.k8s.io/v1',
      spec: {
        rules: [
          { host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend(8000) }, { path: '/api', pathType: 'Prefix', backend: backend(8000) }] } },
          { host: 'www.example.com', http: { paths: [{ path: '/' }, { path: '/api' }] } },
        ],
      },
    });
    expect(object).not.toHaveProperty('spec.tls');
    expect(warnings).toEqual([]);
  });

  it('uses the route port over the service port', () => {
    const { object } = ingress('services:\n  web:\n    image: web:1\n    expose: ["8000", "9000"]\n    x-berth:\n      routes: [{host: a.example.com, port: 9000}]\n');
    expect(object).toMatchObject({ spec: { rules: [{ http: { paths: [{ path: '/', backend: backend(9000) }] } }] } });
  });

  it('marks strip_prefix in an annotation and warns that a rewrite is needed', () => {
    const { object, warnings } = ingress('services:\n  web:\n    image: web:1\n    expose: ["80"]\n    x-berth:\n      routes: [{host: a.example.com, path: /api, strip_prefix: true}]\n');
    expect(object).toMatchObject({ metadata: { annotations: { [STRIP_PREFIX_ANNOTATION]: '/api' } } });
    expect(warnings).toEqual([expect.stringContaining('rewrite')]);
  });

  it('lists every host under tls when x-berth.tls is set', () => {
    const { object, warnings } = ingress([
      'x-berth:', '  tls:', '    acme: {email: ops@example.com}',
      'services:', '  web:', '    image: web:1', '    expose: ["80"]', '    x-berth:', '      routes: [{host: [b.example.com, a.example.com]}]',
    ].join('\n'));
    expect(object).toMatchObject({ spec: { tls: [{ hosts: ['a.example.com', 'b.example.com'], secretName: 'web-tls' }] } });
    expect(warnings).toEqual([expect.stringContaining('web-tls')]);
  });

  it('makes no Ingress without routes', () => {
    expect(ingress('services:\n  web:\n    image: web:1\n').object).toBeUndefined();
  });
});

describe('Ingress ports', () => {
  it('warns when a route aims at a port the Service does not have', () => {
    const { warnings } = ingress('services:\n  web:\n    image: web:1\n    expose: ["8000"]\n    x-berth:\n      routes: [{host: a.example.com, port: 9000}]\n');
    expect(warnings).toEqual([expect.stringContaining('port 9000')]);
  });
});

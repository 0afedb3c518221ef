import { describe, expect, it } from 'vitest';
import { StageContext } from '../stage-context.js';
import { OverrideMarker, ResetMarker } from '../yaml-tags.js';
import { canonicalize } from './canonical.js';

describe('canonicalize', () => {
  it('leaves a !reset marker in place', () => {
    const reset = new ResetMarker();
    const out = canonicalize({ services: { web: { ports: reset } } }, new StageContext());
    expect((out.services as Record<string, Record<string, unknown>>).web?.ports).toBe(reset);
  });

  it('canonicalizes the value inside an !override marker and keeps the marker', () => {
    const out = canonicalize({ services: { web: { ports: new OverrideMarker(['8000:80']) } } }, new StageContext());
    const ports = (out.services as Record<string, Record<string, unknown>>).web?.ports;
    expect(ports).toBeInstanceOf(OverrideMarker);
    expect((ports as OverrideMarker).value).toEqual([{ mode: 'ingress', target: 80, published: '8000', protocol: 'tcp' }]);
  });

  it('keeps markers that are list entries', () => {
    const reset = new ResetMarker();
    const out = canonicalize({ services: { web: { ports: ['80', reset] } } }, new StageContext());
    expect((out.services as Record<string, Record<string, unknown[]>>).web?.ports?.[1]).toBe(reset);
  });

  it('does not change its input', () => {
    const input = { services: { web: { ports: ['80:80'], environment: ['A=1'] } } };
    const copy = structuredClone(input);
    canonicalize(input, new StageContext());
    expect(input).toEqual(copy);
  });

  it('turns the deprecated external: {name} into name + external: true, with a warning', () => {
    const ctx = new StageContext();
    const out = canonicalize({ volumes: { data: { external: { name: 'legacy' } } }, networks: { n: { external: true } } }, ctx);
    expect(out.volumes).toEqual({ data: { external: true, name: 'legacy' } });
    expect(out.networks).toEqual({ n: { external: true } });
    expect(ctx.warnings[0]?.message).toContain('deprecated');
  });

  it('refuses a name that conflicts with external.name', () => {
    const ctx = new StageContext();
    canonicalize({ volumes: { data: { name: 'a', external: { name: 'b' } } } }, ctx);
    expect(ctx.issues[0]?.code).toBe('SPEC_TYPE');
    expect(ctx.issues[0]?.message).toContain('conflict');
  });

  it('leaves keys it does not know, x-* extensions and null resources alone', () => {
    const input = { 'x-common': { ports: ['80'] }, volumes: { data: null }, services: { web: { 'x-foo': ['a=b'], cap_add: ['NET_ADMIN'] } } };
    expect(canonicalize(input, new StageContext())).toEqual(input);
  });

  it('collects every error of the file instead of stopping at the first', () => {
    const ctx = new StageContext();
    canonicalize({ services: { a: { ports: ['x'] }, b: { ports: ['y'], volumes: ['./a:/b:c:d'] } } }, ctx);
    expect(ctx.issues.map((issue) => issue.path)).toEqual(['services.a.ports[0]', 'services.b.ports[0]', 'services.b.volumes[0]']);
  });
});

import { describe, expect, it } from 'vitest';
import { parseBerthStackOptions } from './berth-options.js';
import { DEFAULT_ACME_DIRECTORY, serializeTls } from './berth-tls.js';
import { parseYaml } from './parse-yaml.js';
import { StageContext } from './stage-context.js';

/** Parses the top-level `x-berth.tls` with `body` as its (YAML) value. */
function tls(body: string) {
  const parsed = parseYaml(`x-berth:\n  tls: ${body}\n`, 'compose.yml');
  const ctx = new StageContext(parsed.sources);
  const root = parsed.value as Record<string, unknown>;
  const options = parseBerthStackOptions(root['x-berth'], ctx, ['x-berth']);
  return { tls: options.tls, lines: ctx.issues.map((issue) => issue.format()) };
}

describe('x-berth tls', () => {
  it('is absent when not given', () => {
    const ctx = new StageContext(parseYaml('x-berth: {runtime: process}\n', 'compose.yml').sources);
    expect(parseBerthStackOptions({ runtime: 'process' }, ctx, ['x-berth']).tls).toBeUndefined();
    expect(ctx.issues).toEqual([]);
  });

  it('reads file certificates, paths as written and hosts as a list', () => {
    expect(tls('{certificates: [{cert: certs/a.crt, key: certs/a.key, hosts: shop.test}, {cert: /abs/b.crt, key: /abs/b.key, hosts: ["*.b.test", b.test]}]}')).toEqual({
      tls: {
        certificates: [
          { cert: 'certs/a.crt', key: 'certs/a.key', hosts: ['shop.test'] },
          { cert: '/abs/b.crt', key: '/abs/b.key', hosts: ['*.b.test', 'b.test'] },
        ],
      },
      lines: [],
    });
  });

  it('reads acme with a directory, an email and renew_before, and defaults the directory to Let\'s Encrypt', () => {
    expect(tls('{acme: {email: ops@example.com, directory: "https://127.0.0.1:14000/dir", renew_before: 30d}}')).toEqual({
      tls: { certificates: [], acme: { directory: 'https://127.0.0.1:14000/dir', email: 'ops@example.com', renewBeforeMs: 30 * 86_400_000 } },
      lines: [],
    });
    expect(tls('{acme: true}').tls).toEqual({ certificates: [], acme: { directory: DEFAULT_ACME_DIRECTORY } });
    expect(tls('{acme: {}}').tls).toEqual({ certificates: [], acme: { directory: DEFAULT_ACME_DIRECTORY } });
  });

  it('says exactly what is wrong', () => {
    expect(tls('{}').lines).toEqual([
      expect.stringContaining('HTTPS needs certificates: give `certificates` or `acme`'),
    ]);
    expect(tls('{acme: {directory: "ftp://x", email: nobody, renew_before: 0s}}').lines).toEqual([
      'compose.yml:2:27 SPEC_BERTH x-berth.tls.acme.directory: expected the URL of an ACME directory (https://…), got "ftp://x"',
      'compose.yml:2:45 SPEC_BERTH x-berth.tls.acme.email: expected an email address, got "nobody"',
      'compose.yml:2:67 SPEC_BERTH x-berth.tls.acme.renew_before: expected a duration greater than 0, got "0s"',
    ]);
    expect(tls('{certificates: [{cert: a.crt}], acme: {renew: 1d}}').lines).toEqual([
      'compose.yml:2:24 SPEC_BERTH x-berth.tls.certificates[0]: missing required key `key`',
      'compose.yml:2:47 SPEC_BERTH x-berth.tls.acme.renew: unknown key `renew` in `x-berth.tls.acme`\n  hint: remove it; allowed here: directory, email, renew_before',
    ]);
  });

  it('prints back what it reads', () => {
    const parsed = tls('{certificates: [{cert: a.crt, key: a.key, hosts: [a.test]}], acme: {email: ops@example.com, renew_before: 12h}}').tls;
    expect(parsed).toBeDefined();
    const printed = serializeTls(parsed!);
    expect(printed).toEqual({
      certificates: [{ cert: 'a.crt', key: 'a.key', hosts: ['a.test'] }],
      acme: { directory: DEFAULT_ACME_DIRECTORY, email: 'ops@example.com', renew_before: '43200000ms' },
    });
    expect(tls(JSON.stringify(printed)).tls).toEqual(parsed);
  });
});

import { describe, expect, it } from 'vitest';
import { BerthError } from '../../errors.js';
import { loadWeb } from './test-helpers.js';

const files: Record<string, Record<string, string>> = {
  '/srv/demo/.env.base': { A: 'base', B: 'base', C: 'base' },
  '/srv/demo/.env.local': { B: 'local', D: 'local' },
};

const reader = (path: string, required: boolean): Record<string, string> | undefined => {
  const found = files[path];
  if (found) return found;
  if (required) throw new BerthError('SPEC_READ', `cannot read env file ${path}: ENOENT`, { hint: 'check that the file exists' });
  return undefined;
};

describe('normalize: environment and env_file', () => {
  it('merges env files in order, under environment', () => {
    const { web, ctx } = loadWeb({
      image: 'x',
      env_file: ['.env.base', '.env.local'],
      environment: { C: 'declared', E: 5 },
    }, { envFileReader: reader });
    expect(ctx.issues).toEqual([]);
    expect(web.environment).toEqual({ A: 'base', B: 'local', C: 'declared', D: 'local', E: '5' });
  });

  it('skips a missing env file marked required: false', () => {
    const { web, ctx } = loadWeb({ image: 'x', env_file: [{ path: '.env.missing', required: false }, '.env.local'] }, { envFileReader: reader });
    expect(ctx.issues).toEqual([]);
    expect(web.environment).toEqual({ B: 'local', D: 'local' });
  });

  it('reports a missing required env file as SPEC_READ at its entry, naming the path', () => {
    const { ctx } = loadWeb({ image: 'x', env_file: ['.env.local', 'nope.env'] }, { envFileReader: reader });
    expect(ctx.issues).toHaveLength(1);
    expect(ctx.issues[0]?.code).toBe('SPEC_READ');
    expect(ctx.issues[0]?.path).toBe('services.web.env_file[1]');
    expect(ctx.issues[0]?.message).toContain('/srv/demo/nope.env');
  });

  it('reports a required file the reader says is missing', () => {
    const { ctx } = loadWeb({ image: 'x', env_file: 'gone.env' }, { envFileReader: () => undefined });
    expect(ctx.issues[0]?.code).toBe('SPEC_READ');
    expect(ctx.issues[0]?.message).toContain('"/srv/demo/gone.env"');
  });

  it('resolves a key without a value from the variables, else leaves it unset', () => {
    const variables: Record<string, string> = { TOKEN: 'from-shell' };
    const { web } = loadWeb({ image: 'x', environment: ['TOKEN', 'MISSING', 'SET=1'] }, { lookupVariable: (name) => variables[name] });
    expect(web.environment).toEqual({ TOKEN: 'from-shell', MISSING: null, SET: '1' });
  });

  it('lets an unset key in environment hide an env-file value, as compose does', () => {
    const { web } = loadWeb({ image: 'x', env_file: '.env.local', environment: ['B'] }, { envFileReader: reader });
    expect(web.environment).toEqual({ B: null, D: 'local' });
  });

  it('resolves build args without a value the same way', () => {
    const { web } = loadWeb({ build: { context: '.', args: ['VERSION', 'X=1'] } }, { lookupVariable: (n) => (n === 'VERSION' ? '2.0' : undefined) });
    expect(web.build?.args).toEqual({ VERSION: '2.0', X: '1' });
  });
});

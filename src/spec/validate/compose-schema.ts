import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv, type Options } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';

/**
 * The compose-spec JSON schema (shipped by the maintained `dclint` package) and the ajv options berth checks it with.
 * `npm run build` turns it into a precompiled validator module (compose-validator.cjs beside the built code), so a
 * CLI call does not spend a second compiling the schema; without that file the schema is compiled on first use.
 */
export const AJV_OPTIONS: Options = { allErrors: true, verbose: true, strict: false };

export function loadComposeSchema(): Record<string, unknown> {
  const require = createRequire(import.meta.url);
  // dclint's `exports` hides its files, so find the package folder through its package.json.
  const dir = path.dirname(require.resolve('dclint/package.json'));
  const schema = JSON.parse(readFileSync(path.join(dir, 'schemas/compose.schema.json'), 'utf8')) as Record<string, unknown>;
  // The file names its draft-07 meta-schema by an https URL ajv does not know; ajv's default meta-schema is draft-07.
  delete schema.$schema;
  return schema;
}

/** The source of a CommonJS module exporting the compiled validator (ajv standalone code). */
export function composeValidatorSource(): string {
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
  return standalone.default(ajv, ajv.compile(loadComposeSchema()));
}

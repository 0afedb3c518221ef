import { Ajv, type SchemaObject, type ValidateFunction } from 'ajv';
import type { BerthHealth, BerthHealthCheck, BerthRoute, BerthServiceOptions, BerthStackOptions } from '../model/berth-options.js';
import { DEPLOY_FIELD } from './berth-deploy.js';
import { MIDDLEWARES_FIELD } from './berth-middlewares.js';
import { TLS_FIELD } from './berth-tls.js';
import { readDuration } from './duration.js';
import type { ModelPath } from './model-path.js';
import { splitCommandText } from './normalize/command.js';
import { HEALTHCHECK_DEFAULTS } from './normalize/healthcheck.js';
import type { StageContext } from './stage-context.js';
import { explainSchemaErrors } from './validate/schema-errors.js';
import { reportIssues } from './validate/schema.js';

/**
 * `x-berth:` at the top level and in each service: checked against its own JSON schema (unknown keys are errors
 * with a did-you-mean; keys starting with `x-` are kept verbatim in `other` for later features), then turned into
 * the typed options of src/model/berth-options.ts. Problems are SPEC_BERTH errors in `ctx` at their position;
 * on errors the defaults are returned so later stages can still run. Relative paths (`process.cwd`) are kept as
 * written: making them absolute is the normalizer's job.
 *
 * To add an option: add the typed field to the model interface and one entry to STACK_FIELDS or SERVICE_FIELDS
 * (its JSON schema and its conversion). Nothing else changes.
 */
export function parseBerthStackOptions(value: unknown, ctx: StageContext, path: ModelPath): BerthStackOptions {
  return parseFields(STACK_FIELDS, value, ctx, path);
}

export function parseBerthServiceOptions(value: unknown, ctx: StageContext, path: ModelPath): BerthServiceOptions {
  return parseFields(SERVICE_FIELDS, value, ctx, path);
}

/** One `x-berth` key: the schema of its raw value and the conversion of a value that passed it. */
interface Field<T> {
  readonly schema: SchemaObject;
  /** Called for every key, with `raw` undefined when the key is absent (return the default, or undefined). */
  readonly parse: (raw: unknown, ctx: StageContext, path: ModelPath) => T;
}

type Fields<T> = { readonly [K in Exclude<keyof T, 'other'>]-?: Field<T[K]> };

const PORT: SchemaObject = { type: ['integer', 'string'], pattern: '^[0-9]+$', message: 'expected a port number' };
const BOOLEAN: SchemaObject = {
  type: ['boolean', 'string'],
  pattern: '^([Tt]rue|TRUE|[Ff]alse|FALSE|[Yy]es|YES|[Nn]o|NO|[Oo]n|ON|[Oo]ff|OFF|[YyNn])$',
  message: 'expected true or false',
};
const HOST: SchemaObject = {
  type: 'string',
  pattern: '^(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$',
  message: 'expected a host name like `example.com` or `*.example.com` (no scheme, port or path)',
};
const URL_PATH: SchemaObject = { type: 'string', pattern: '^/', message: 'expected a path starting with `/`' };
const DURATION: SchemaObject = { type: ['string', 'integer'] };
const COUNT: SchemaObject = { type: ['integer', 'string'], pattern: '^[0-9]+$', message: 'expected a whole number' };
const STATUS: SchemaObject = { type: ['integer', 'string'], pattern: '^[0-9]+$', message: 'expected an HTTP status code like 200' };

function oneOrMany(item: SchemaObject): SchemaObject {
  return { ...item, type: ['string', 'array'], items: item, minItems: 1 };
}

const STACK_FIELDS: Fields<BerthStackOptions> = {
  runtime: {
    schema: { type: 'string', enum: ['process', 'docker', 'swarm'] },
    parse: (raw) => raw as BerthStackOptions['runtime'],
  },
  proxy: {
    schema: {
      type: 'object',
      properties: { http: PORT, https: PORT, workers: { type: ['integer', 'string'], minLength: 1 } },
      additionalProperties: false,
    },
    parse: (raw, ctx, path) => {
      if (raw === undefined || raw === null) return undefined;
      const proxy = raw as { http?: number | string; https?: number | string; workers?: number | string };
      const http = toPort(proxy.http, ctx, [...path, 'http']);
      const https = toPort(proxy.https, ctx, [...path, 'https']);
      const workers = toWorkers(proxy.workers, ctx, [...path, 'workers']);
      return {
        ...(http === undefined ? {} : { http }),
        ...(https === undefined ? {} : { https }),
        ...(workers === undefined ? {} : { workers }),
      };
    },
  },
  tls: TLS_FIELD,
};

interface RawRoute {
  readonly host: string | readonly string[];
  readonly path?: string | readonly string[];
  readonly port?: number | string;
  readonly strip_prefix?: boolean | string;
}

const SERVICE_FIELDS: Fields<BerthServiceOptions> = {
  process: {
    schema: {
      type: 'object',
      properties: {
        command: { type: ['string', 'array'], items: { type: 'string' }, minLength: 1, minItems: 1, message: 'the command is empty' },
        cwd: { type: 'string', minLength: 1 },
      },
      additionalProperties: false,
    },
    parse: (raw, ctx, path) => {
      if (raw === undefined || raw === null) return undefined;
      const process = raw as { command?: string | readonly string[]; cwd?: string };
      const command = process.command === undefined ? undefined : toArgv(process.command, ctx, [...path, 'command']);
      return { ...(command === undefined ? {} : { command }), ...(process.cwd === undefined ? {} : { cwd: process.cwd }) };
    },
  },
  routes: {
    schema: {
      type: 'array',
      items: {
        type: 'object',
        required: ['host'],
        properties: { host: oneOrMany(HOST), path: oneOrMany(URL_PATH), port: PORT, strip_prefix: BOOLEAN },
        additionalProperties: false,
      },
    },
    parse: (raw, ctx, path) => {
      if (raw === undefined || raw === null) return [];
      return (raw as readonly RawRoute[]).map((route, i) => toRoute(route, ctx, [...path, i]));
    },
  },
  health: {
    schema: {
      type: 'object',
      properties: {
        http: {
          type: ['string', 'object'], pattern: '^/', message: 'expected a path starting with `/`',
          required: ['path'], properties: { path: URL_PATH, port: PORT, status: STATUS }, additionalProperties: false,
        },
        tcp: { type: ['object', 'null'], properties: { port: PORT }, additionalProperties: false },
        interval: DURATION, timeout: DURATION, retries: COUNT, start_period: DURATION, start_interval: DURATION,
      },
      additionalProperties: false,
    },
    parse: (raw, ctx, path) => (raw === undefined || raw === null ? undefined : toHealth(raw as RawHealth, ctx, path)),
  },
  middlewares: MIDDLEWARES_FIELD,
  deploy: DEPLOY_FIELD,
};

type RawNumber = number | string;
interface RawHealth {
  readonly http?: string | { readonly path: string; readonly port?: RawNumber; readonly status?: RawNumber };
  readonly tcp?: { readonly port?: RawNumber } | null;
  readonly interval?: RawNumber;
  readonly timeout?: RawNumber;
  readonly retries?: RawNumber;
  readonly start_period?: RawNumber;
  readonly start_interval?: RawNumber;
}

/** `x-berth.health` with compose's healthcheck defaults for omitted timings; undefined when it has errors. */
function toHealth(raw: RawHealth, ctx: StageContext, path: ModelPath): BerthHealth | undefined {
  const failures = ctx.issues.length;
  const duration = (key: 'interval' | 'timeout' | 'start_period' | 'start_interval', fallback: number, min: number): number => {
    const value = raw[key];
    if (value === undefined) return fallback;
    const ms = readDuration(value, ctx, [...path, key]);
    if (ms === undefined || ms >= min) return ms ?? fallback;
    ctx.error('SPEC_BERTH', [...path, key], `expected a duration ${min === 0 ? 'of 0 or more' : 'greater than 0'}, got ${JSON.stringify(value)}`);
    return fallback;
  };
  const retries = raw.retries === undefined ? HEALTHCHECK_DEFAULTS.retries : Number(raw.retries);
  if (retries < 1) ctx.error('SPEC_BERTH', [...path, 'retries'], `expected at least 1 retry, got ${JSON.stringify(raw.retries)}`);
  const health = {
    check: toHealthCheck(raw, ctx, path),
    intervalMs: duration('interval', HEALTHCHECK_DEFAULTS.intervalMs, Number.MIN_VALUE),
    timeoutMs: duration('timeout', HEALTHCHECK_DEFAULTS.timeoutMs, Number.MIN_VALUE),
    retries,
    startPeriodMs: duration('start_period', HEALTHCHECK_DEFAULTS.startPeriodMs, 0),
    startIntervalMs: duration('start_interval', HEALTHCHECK_DEFAULTS.startIntervalMs, Number.MIN_VALUE),
  };
  return health.check === undefined || ctx.issues.length > failures ? undefined : { ...health, check: health.check };
}

/** Exactly one of `http` (a path, or `{path, port, status}`) and `tcp` (`{}`, `{port}` or empty). */
function toHealthCheck(raw: RawHealth, ctx: StageContext, path: ModelPath): BerthHealthCheck | undefined {
  const hasTcp = Object.hasOwn(raw, 'tcp');
  if (raw.http !== undefined && hasTcp) {
    ctx.error('SPEC_BERTH', path, 'give either `http` or `tcp`, not both');
    return undefined;
  }
  if (raw.http !== undefined) {
    const http = typeof raw.http === 'string' ? { path: raw.http } : raw.http;
    const port = toPort(http.port, ctx, [...path, 'http', 'port']);
    const status = http.status === undefined ? undefined : Number(http.status);
    if (status !== undefined && (status < 100 || status > 599)) {
      ctx.error('SPEC_BERTH', [...path, 'http', 'status'], `expected an HTTP status code from 100 to 599, got ${JSON.stringify(http.status)}`);
    }
    return { kind: 'http', path: http.path, ...(port === undefined ? {} : { port }), ...(status === undefined ? {} : { status }) };
  }
  if (hasTcp) {
    const port = toPort(raw.tcp?.port, ctx, [...path, 'tcp', 'port']);
    return { kind: 'tcp', ...(port === undefined ? {} : { port }) };
  }
  ctx.error('SPEC_BERTH', path, 'nothing to check: give `http` or `tcp`', { hint: 'e.g. health: {http: /health} or health: {tcp: {}}' });
  return undefined;
}

function toRoute(route: RawRoute, ctx: StageContext, path: ModelPath): BerthRoute {
  const port = toPort(route.port, ctx, [...path, 'port']);
  return {
    hosts: [route.host].flat(),
    paths: route.path === undefined ? ['/'] : [route.path].flat(),
    ...(port === undefined ? {} : { port }),
    stripPrefix: toBoolean(route.strip_prefix) ?? false,
  };
}

function toPort(raw: number | string | undefined, ctx: StageContext, path: ModelPath): number | undefined {
  if (raw === undefined) return undefined;
  const port = Number(raw);
  if (port >= 1 && port <= 65535) return port;
  ctx.error('SPEC_BERTH', path, `expected a port number from 1 to 65535, got ${JSON.stringify(raw)}`);
  return undefined;
}

/** `auto` (one per CPU) or a whole number of proxy worker processes from 1 to 64. */
function toWorkers(raw: number | string | undefined, ctx: StageContext, path: ModelPath): number | 'auto' | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'auto') return 'auto';
  const n = typeof raw === 'number' ? raw : /^[0-9]+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (Number.isSafeInteger(n) && n >= 1 && n <= 64) return n;
  ctx.error('SPEC_BERTH', path, `expected \`auto\` or a number of worker processes from 1 to 64, got ${JSON.stringify(raw)}`, {
    hint: 'e.g. `workers: auto` (one per CPU) or `workers: 2`; 1 serves in the berth daemon itself',
  });
  return undefined;
}

function toBoolean(raw: boolean | string | undefined): boolean | undefined {
  if (raw === undefined || typeof raw === 'boolean') return raw;
  return ['true', 'yes', 'on', 'y'].includes(raw.toLowerCase());
}

/** A list is taken as written; a string is split into words as compose splits `command:`, without a shell. */
function toArgv(raw: string | readonly string[], ctx: StageContext, path: ModelPath): readonly string[] | undefined {
  if (typeof raw !== 'string') return raw;
  const argv = splitCommandText(raw, ctx, path, 'SPEC_BERTH');
  if (argv === undefined) return undefined;
  if (argv.length === 0) {
    ctx.error('SPEC_BERTH', path, 'the command is empty', { hint: 'give the program to run, e.g. `npm start`' });
    return undefined;
  }
  return argv;
}

const validators = new WeakMap<object, ValidateFunction>();

function validatorFor(fields: Readonly<Record<string, Field<unknown>>>): ValidateFunction {
  const hit = validators.get(fields);
  if (hit) return hit;
  const ajv = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true });
  ajv.addKeyword({ keyword: 'message', schemaType: 'string' });
  const properties = Object.fromEntries(Object.entries(fields).map(([key, field]) => [key, field.schema]));
  const validate = ajv.compile({
    type: 'object', properties, patternProperties: { '^x-': {} }, additionalProperties: false,
  });
  validators.set(fields, validate);
  return validate;
}

function parseFields<T>(fields: Fields<T>, value: unknown, ctx: StageContext, path: ModelPath): T {
  const table = fields as unknown as Readonly<Record<string, Field<unknown>>>;
  const raw = value === undefined || value === null ? {} : value;
  const validate = validatorFor(table);
  const valid = validate(raw);
  if (!valid) reportIssues(explainSchemaErrors(validate.errors ?? [], raw, path), ctx, () => 'SPEC_BERTH');
  const given = valid ? (raw as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(table)) {
    const parsed = field.parse(given[key], ctx, [...path, key]);
    if (parsed !== undefined) out[key] = parsed;
  }
  out.other = Object.fromEntries(Object.entries(given).filter(([key]) => key.startsWith('x-')));
  return out as T;
}

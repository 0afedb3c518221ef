import type { SchemaObject } from 'ajv';
import type { BerthTls } from '../model/berth-options.js';
import { readDuration } from './duration.js';
import type { ModelPath } from './model-path.js';
import type { StageContext } from './stage-context.js';

/**
 * The top-level `x-berth.tls`: HTTPS on the edge proxy. Certificate paths are kept as written (the proxy makes
 * them absolute against the project folder); files are read and checked when the proxy applies the stack.
 *
 * ```yaml
 * x-berth:
 *   tls:
 *     certificates:
 *       - {cert: certs/shop.crt, key: certs/shop.key, hosts: [shop.example.com]}
 *     acme: {email: ops@example.com, directory: https://acme-v02.api.letsencrypt.org/directory, renew_before: 30d}
 * ```
 */

/** Where ACME certificates come from when `directory` is not given. */
export const DEFAULT_ACME_DIRECTORY = 'https://acme-v02.api.letsencrypt.org/directory';

const TEXT: SchemaObject = { type: 'string', minLength: 1 };
const HOST: SchemaObject = {
  type: 'string',
  pattern: '^(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$',
  message: 'expected a host name like `example.com` or `*.example.com` (no scheme, port or path)',
};

const TLS_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    certificates: {
      type: 'array',
      items: {
        type: 'object',
        required: ['cert', 'key'],
        properties: { cert: TEXT, key: TEXT, hosts: { ...HOST, type: ['string', 'array'], items: HOST, minItems: 1 } },
        additionalProperties: false,
      },
    },
    acme: {
      type: ['object', 'boolean'],
      properties: { email: TEXT, directory: TEXT, renew_before: { type: ['string', 'integer'] } },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
};

interface RawTls {
  readonly certificates?: readonly { readonly cert: string; readonly key: string; readonly hosts?: string | readonly string[] }[];
  readonly acme?: boolean | { readonly email?: string; readonly directory?: string; readonly renew_before?: string | number };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export const TLS_FIELD = {
  schema: TLS_SCHEMA,
  parse: (raw: unknown, ctx: StageContext, path: ModelPath): BerthTls | undefined => {
    if (raw === undefined || raw === null) return undefined;
    const given = raw as RawTls;
    const certificates = (given.certificates ?? []).map((c) => ({
      cert: c.cert, key: c.key, ...(c.hosts === undefined ? {} : { hosts: [c.hosts].flat() }),
    }));
    const acme = toAcme(given.acme, ctx, [...path, 'acme']);
    if (certificates.length === 0 && acme === undefined) {
      ctx.error('SPEC_BERTH', path, 'HTTPS needs certificates: give `certificates` or `acme`', {
        hint: 'e.g. tls: {acme: {email: you@example.com}} or tls: {certificates: [{cert: site.crt, key: site.key}]}',
      });
      return undefined;
    }
    return { certificates, ...(acme === undefined ? {} : { acme }) };
  },
};

function toAcme(raw: RawTls['acme'], ctx: StageContext, path: ModelPath): BerthTls['acme'] {
  if (raw === undefined || raw === false) return undefined;
  const given = raw === true ? {} : raw;
  const acme: Mutable<NonNullable<BerthTls['acme']>> = { directory: given.directory ?? DEFAULT_ACME_DIRECTORY };
  if (!isHttpUrl(acme.directory)) {
    ctx.error('SPEC_BERTH', [...path, 'directory'], `expected the URL of an ACME directory (https://…), got ${JSON.stringify(acme.directory)}`);
  }
  if (given.email !== undefined) {
    if (/^[^@\s]+@[^@\s]+$/.test(given.email)) acme.email = given.email;
    else ctx.error('SPEC_BERTH', [...path, 'email'], `expected an email address, got ${JSON.stringify(given.email)}`);
  }
  if (given.renew_before !== undefined) {
    const ms = readDuration(given.renew_before, ctx, [...path, 'renew_before']);
    if (ms !== undefined && ms <= 0) {
      ctx.error('SPEC_BERTH', [...path, 'renew_before'], `expected a duration greater than 0, got ${JSON.stringify(given.renew_before)}`);
    } else if (ms !== undefined) acme.renewBeforeMs = ms;
  }
  return acme;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** `x-berth.tls` printed back in the shape TLS_FIELD reads. */
export function serializeTls(tls: BerthTls): Record<string, unknown> {
  const acme = tls.acme && {
    directory: tls.acme.directory,
    ...(tls.acme.email === undefined ? {} : { email: tls.acme.email }),
    ...(tls.acme.renewBeforeMs === undefined ? {} : { renew_before: `${tls.acme.renewBeforeMs}ms` }),
  };
  return {
    ...(tls.certificates.length === 0 ? {} : {
      certificates: tls.certificates.map((c) => ({ cert: c.cert, key: c.key, ...(c.hosts === undefined ? {} : { hosts: [...c.hosts] }) })),
    }),
    ...(acme === undefined ? {} : { acme }),
  };
}

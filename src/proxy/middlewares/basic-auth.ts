import { createHash, timingSafeEqual } from 'node:crypto';
import type { BasicAuthOptions } from '../../model/route-middlewares.js';
import { invalidOption, refuse, type Middleware } from './middleware.js';

/**
 * HTTP basic authentication against a list of users with SHA-256 password digests (bcrypt, as in htpasswd, is not
 * available without a native package; the loader turns a plain password into its digest and warns). Without valid
 * credentials the answer is 401 with `WWW-Authenticate: Basic realm="…"`, and the request never reaches the
 * upstream. The check takes the same time whether the user exists or not and however much of the digest matches.
 * The `Authorization` header is forwarded unchanged (as Traefik does by default).
 */
export function basicAuth(options: BasicAuthOptions): Middleware {
  const challenge = `Basic realm="${checkRealm(options.realm)}", charset="UTF-8"`;
  const users = userTable(options);
  // Unknown users are compared against this, so their answer takes as long as a wrong password's.
  const nobody = Buffer.alloc(32);
  return async (ctx, next) => {
    const credentials = readCredentials(ctx.req.headers.authorization);
    if (credentials !== undefined) {
      const expected = users.get(credentials.name);
      const given = createHash('sha256').update(credentials.password, 'utf8').digest();
      if (timingSafeEqual(given, expected ?? nobody) && expected !== undefined) return next();
    }
    refuse(ctx, 401, { 'www-authenticate': challenge });
  };
}

function checkRealm(realm: string): string {
  // eslint-disable-next-line no-control-regex
  if (realm === '' || /["\\\u0000-\u001f\u007f]/.test(realm)) {
    throw invalidOption('basicAuth.realm', `expected a realm without quotes, backslashes or control characters, got ${JSON.stringify(realm)}`);
  }
  return realm;
}

function userTable(options: BasicAuthOptions): ReadonlyMap<string, Buffer> {
  if (options.users.length === 0) throw invalidOption('basicAuth.users', 'no user can log in', 'add users as name:sha256:<hex digest>');
  const users = new Map<string, Buffer>();
  options.users.forEach((user, i) => {
    if (user.name === '' || user.name.includes(':')) {
      throw invalidOption(`basicAuth.users[${i}]`, `expected a user name without ':', got ${JSON.stringify(user.name)}`);
    }
    if (!/^[0-9a-fA-F]{64}$/.test(user.sha256)) {
      throw invalidOption(`basicAuth.users[${i}]`, `the password digest of ${user.name} is not 64 hex digits (SHA-256)`);
    }
    if (users.has(user.name)) throw invalidOption(`basicAuth.users[${i}]`, `the user ${user.name} is listed twice`);
    users.set(user.name, Buffer.from(user.sha256, 'hex'));
  });
  return users;
}

/** `Basic base64(name:password)` → its parts; undefined for anything else. */
function readCredentials(header: string | undefined): { name: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const match = /^basic +([A-Za-z0-9+/]+=*) *$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { name: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

import type { ProxyRequest, ProxyResponse } from '../../forward/proxy-context.js';

export const ACME_CHALLENGE_PREFIX = '/.well-known/acme-challenge/';

/**
 * Answers ACME HTTP-01 validation requests (`GET /.well-known/acme-challenge/<token>`) for the challenges
 * berth has open. The HTTP listener calls `handle` before routing: it answers and returns true for a token it
 * holds, and returns false for anything else, so an app behind berth that runs its own ACME client still gets its
 * challenge requests. Any host: the CA validates the name it asked for and the token is unguessable.
 */
export class Http01Responder {
  private readonly tokens = new Map<string, string>();

  /** Told the open challenges after every change (proxy workers answer them too). */
  onChange: ((tokens: ReadonlyArray<readonly [string, string]>) => void) | undefined = undefined;

  /** Starts answering `token` with `keyAuthorization` (as given by the ACME client). */
  set(token: string, keyAuthorization: string): void {
    this.tokens.set(token, keyAuthorization);
    this.onChange?.(this.entries());
  }

  delete(token: string): void {
    this.tokens.delete(token);
    this.onChange?.(this.entries());
  }

  /** The open challenges as `[token, keyAuthorization]`. */
  entries(): ReadonlyArray<readonly [string, string]> {
    return [...this.tokens];
  }

  /** Answers exactly these challenges from now on. */
  replace(tokens: ReadonlyArray<readonly [string, string]>): void {
    this.tokens.clear();
    for (const [token, keyAuthorization] of tokens) this.tokens.set(token, keyAuthorization);
    this.onChange?.(this.entries());
  }

  /** How many challenges are open (for tests and status). */
  get size(): number {
    return this.tokens.size;
  }

  /** True when the request was a challenge for one of our tokens and has been answered. */
  handle(req: ProxyRequest, res: ProxyResponse): boolean {
    const url = req.url;
    if (url === undefined || !url.startsWith(ACME_CHALLENGE_PREFIX) || this.tokens.size === 0) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const end = url.indexOf('?');
    const token = url.slice(ACME_CHALLENGE_PREFIX.length, end < 0 ? undefined : end);
    const keyAuthorization = this.tokens.get(token);
    if (keyAuthorization === undefined) return false;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(keyAuthorization), 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : keyAuthorization);
    return true;
  }
}

import { chooseCoding } from '../forward/response-compression.js';
import type { Middleware } from './middleware.js';

/**
 * `compress: true`: responses of the route are gzip- or brotli-compressed at the edge when the client accepts it
 * and the upstream sent a text-like body (HTML, CSS, JS, JSON, XML, SVG) of 1 KiB or more without an encoding.
 * The decision per response is the forwarder's (src/proxy/forward/response-compression.ts); this picks the coding.
 */
export function compress(): Middleware {
  return async (ctx, next) => {
    const accept = ctx.req.headers['accept-encoding'];
    ctx.compression = chooseCoding(Array.isArray(accept) ? accept.join(', ') : accept);
    await next();
  };
}

/**
 * The routing model of the edge proxy: which requests go to which service, and what a lookup returns.
 * Plain readonly data; `RouteTable.compile` (route-table.ts) validates a list of these and indexes it.
 */

/**
 * One route: requests for one of `hosts` whose path starts with `pathPrefix` (on a segment boundary) go to
 * `service` on its container port `targetPort`.
 *
 * - `id` is stable for the same input (`api#0`, `api#1`, … in declaration order per service); metrics, access
 *   logs and error messages name routes by it.
 * - `hosts`: exact (`api.example.com`), wildcard (`*.example.com`: one or more labels before `.example.com`, not
 *   `example.com` itself) or an IP literal (`127.0.0.1`, `[::1]`). Empty = any host. Case does not matter.
 * - `pathPrefix` starts with `/`; `/api` matches `/api`, `/api/x` and `/api?q`, not `/apix`. A prefix that ends
 *   with `/` (`/api/`) matches only below it (`/api/x`, not `/api`).
 * - `stripPrefix` removes the prefix before forwarding: `/api/x?q` → `/x?q`, `/api` → `/`.
 * - `options` is passed through untouched for the middlewares of the route; routing never reads it.
 */
export interface Route {
  readonly id: string;
  readonly service: string;
  readonly hosts: readonly string[];
  readonly pathPrefix: string;
  readonly stripPrefix: boolean;
  readonly targetPort: number;
  readonly options: Readonly<Record<string, unknown>>;
}

/** The answer of `RouteTable.match`: the route and the path (with its query) to send upstream. */
export interface Match {
  readonly route: Route;
  /** The request path after `stripPrefix` (never empty: `''` becomes `/`), query string kept. */
  readonly forwardPath: string;
}

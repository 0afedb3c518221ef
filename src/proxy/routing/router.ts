import type { RouteTable } from './route-table.js';

/**
 * The one reference to the live route table. A new table is compiled and validated completely elsewhere
 * (`RouteTable.compile`), then `swap` puts it in place with a single assignment: there is no lock and no moment
 * at which a request can see half of one table and half of another.
 *
 * Contract for the proxy: read the table ONCE per request and use only that table for every routing decision of
 * that request, including retries on another replica:
 *
 * ```ts
 * const table = router.current;              // once, at the start of the request
 * const match = table.match(req.headers.host, req.url ?? '/');
 * ```
 *
 * A request that took the old table finishes with it (the table is immutable, so that is always safe).
 * Draining the old table's connections after a swap is the caller's job; `swap` returns the previous table so
 * the caller knows which one to drain. The Router does not count requests and does not close anything.
 */
export class Router {
  #table: RouteTable;

  constructor(initial: RouteTable) {
    this.#table = initial;
  }

  /** The table new requests use. */
  get current(): RouteTable {
    return this.#table;
  }

  /** Makes `next` the table of every request that starts from now on; returns the table it replaced. */
  swap(next: RouteTable): RouteTable {
    const previous = this.#table;
    this.#table = next;
    return previous;
  }
}

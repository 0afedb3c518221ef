/*
 * One periodic check of every deadline of a listener (client headers, keep-alive, idle sockets, upstream connect
 * and response), instead of a timer armed and cleared per request. A deadline is a number on its owner; the
 * sweep runs every `tickMs` and tells owners whose deadline passed, so a deadline fires up to one tick late.
 */

export interface HasDeadlines {
  /** Called on every tick with `Date.now()`; acts on the deadlines that passed. */
  checkDeadlines(now: number): void;
}

export class Deadlines {
  private readonly members = new Set<HasDeadlines>();
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly tickMs: number) {}

  /** The tick that keeps deadlines of `shortestMs` within a quarter of their length (10 ms … 1 s). */
  static tickFor(shortestMs: number): number {
    return Math.max(10, Math.min(1_000, Math.floor(shortestMs / 4) || 1_000));
  }

  add(member: HasDeadlines): void {
    this.members.add(member);
    if (this.timer === undefined) {
      this.timer = setInterval(this.sweep, this.tickMs);
      this.timer.unref();
    }
  }

  delete(member: HasDeadlines): void {
    this.members.delete(member);
    if (this.members.size === 0) this.stop();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private readonly sweep = (): void => {
    const now = Date.now();
    for (const member of this.members) member.checkDeadlines(now);
  };
}

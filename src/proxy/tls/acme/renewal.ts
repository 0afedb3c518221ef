import { systemClock, type Clock } from '../../../health/clock.js';
import { silentLogger, type Logger } from '../../../log/logger.js';

const DAY = 24 * 60 * 60 * 1000;
/** setTimeout fires at once for delays above 2^31-1 ms (~24.8 days): longer waits are taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** When to renew and how to retry. All in milliseconds. */
export interface RenewalPolicy {
  /** Renew when less than this remains before the certificate expires. */
  readonly renewBeforeMs: number;
  /** Wait after the first failure; doubled after each further failure, up to `retryMaxMs`. */
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  /**
   * Least time between two successful renewals of one name: a `renewBeforeMs` longer than the CA's certificate
   * lifetime would otherwise renew again the moment a renewal succeeds.
   */
  readonly minIntervalMs: number;
  /** An attempt that has not settled by then is abandoned (its signal aborted) and counts as a failure. */
  readonly attemptTimeoutMs: number;
}

export const DEFAULT_RENEWAL_POLICY: RenewalPolicy = {
  renewBeforeMs: 30 * DAY,
  retryInitialMs: 60_000,
  retryMaxMs: 6 * 60 * 60 * 1000,
  minIntervalMs: 60 * 60 * 1000,
  attemptTimeoutMs: 10 * 60 * 1000,
};

/** What the scheduler knows about one name. `notAfter` undefined = no certificate yet (issue now). */
export interface RenewalState {
  readonly notAfter: Date | undefined;
  readonly failures: number;
  readonly lastFailureAt: number | undefined;
  readonly lastSuccessAt: number | undefined;
}

/** Milliseconds from `now` until the next attempt for a name; 0 = now. Pure. */
export function renewalDelay(state: RenewalState, policy: RenewalPolicy, now: number): number {
  if (state.failures > 0 && state.lastFailureAt !== undefined) {
    const backoff = Math.min(policy.retryInitialMs * 2 ** (state.failures - 1), policy.retryMaxMs);
    return Math.max(0, state.lastFailureAt + backoff - now);
  }
  let delay = state.notAfter === undefined ? 0 : state.notAfter.getTime() - policy.renewBeforeMs - now;
  if (state.lastSuccessAt !== undefined) delay = Math.max(delay, state.lastSuccessAt + policy.minIntervalMs - now);
  return Math.max(0, delay);
}

/** Gets a certificate for `name` and returns its expiry; rejects to be retried with backoff. */
export type RenewFunction = (name: string, signal: AbortSignal) => Promise<Date>;

interface Tracked {
  state: RenewalState;
  cancelTimer: (() => void) | undefined;
  nextAt: number | undefined;
  running: AbortController | undefined;
  cancelDeadline: (() => void) | undefined;
}

/**
 * Calls `renew` for each tracked name when its certificate nears expiry (or at once when it has none), and again
 * with exponential backoff while it fails. Renewals run in the background: nothing waits for them, and the old
 * certificate keeps being served until `renew` swaps in the new one. One attempt per name at a time, each with a
 * deadline (`attemptTimeoutMs`): a hung CA never stops later renewals.
 */
export class RenewalScheduler {
  private readonly names = new Map<string, Tracked>();
  private readonly policy: RenewalPolicy;
  private readonly clock: Clock;
  private readonly log: Logger;
  private closed = false;

  constructor(private readonly options: {
    readonly renew: RenewFunction;
    readonly policy?: Partial<RenewalPolicy>;
    readonly clock?: Clock;
    readonly log?: Logger;
  }) {
    this.policy = { ...DEFAULT_RENEWAL_POLICY, ...options.policy };
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? silentLogger;
  }

  /** Starts watching `name` whose current certificate expires at `notAfter` (undefined: none yet). */
  track(name: string, notAfter: Date | undefined): void {
    if (this.closed) return;
    const held = this.names.get(name);
    if (held?.running) return; // the attempt in flight reports the new expiry itself
    held?.cancelTimer?.();
    const tracked: Tracked = {
      state: { notAfter, failures: 0, lastFailureAt: undefined, lastSuccessAt: held?.state.lastSuccessAt },
      cancelTimer: undefined, nextAt: undefined, running: undefined, cancelDeadline: undefined,
    };
    this.names.set(name, tracked);
    this.schedule(name, tracked);
  }

  /** Stops watching `name`, cancelling its timer and any attempt in flight. */
  untrack(name: string): void {
    const tracked = this.names.get(name);
    if (!tracked) return;
    tracked.cancelTimer?.();
    tracked.cancelDeadline?.();
    tracked.running?.abort();
    this.names.delete(name);
  }

  /** When the next attempt for `name` is due (ms since the epoch); undefined while one runs or when untracked. */
  nextAttemptAt(name: string): number | undefined {
    return this.names.get(name)?.nextAt;
  }

  state(name: string): RenewalState | undefined {
    return this.names.get(name)?.state;
  }

  close(): void {
    this.closed = true;
    for (const name of [...this.names.keys()]) this.untrack(name);
  }

  /** Says whether the current certificate keeps serving (a renewal) or clients have none of their own (issuance). */
  private logFailure(name: string, state: RenewalState, now: number, error: unknown): void {
    const fields = { ...failureFields(name, state, now, error), retryInMs: renewalDelay(state, this.policy, now) };
    if ('servingUntil' in fields) this.log.warn('TLS certificate renewal failed: the current certificate keeps serving until it expires', fields);
    else this.log.warn('TLS certificate not obtained from the ACME CA: HTTPS clients of this host get the default certificate', fields);
  }

  private schedule(name: string, tracked: Tracked): void {
    const now = this.clock.now();
    const delay = renewalDelay(tracked.state, this.policy, now);
    tracked.nextAt = now + delay;
    const step = Math.min(delay, MAX_TIMER_MS);
    tracked.cancelTimer = this.clock.after(step, () => {
      tracked.cancelTimer = undefined;
      if (this.names.get(name) !== tracked) return;
      if (step < delay) this.schedule(name, tracked); // a long wait taken in steps: look again
      else this.run(name, tracked);
    });
  }

  private run(name: string, tracked: Tracked): void {
    const controller = new AbortController();
    tracked.running = controller;
    tracked.nextAt = undefined;
    let settled = false;
    const finish = (outcome: { readonly ok: true; readonly notAfter: Date } | { readonly ok: false; readonly error: unknown }): void => {
      if (settled) return;
      settled = true;
      tracked.cancelDeadline?.();
      tracked.cancelDeadline = undefined;
      tracked.running = undefined;
      if (this.names.get(name) !== tracked) return; // untracked or closed meanwhile
      const now = this.clock.now();
      if (outcome.ok) {
        tracked.state = { notAfter: outcome.notAfter, failures: 0, lastFailureAt: undefined, lastSuccessAt: now };
      } else {
        tracked.state = { ...tracked.state, failures: tracked.state.failures + 1, lastFailureAt: now };
        this.logFailure(name, tracked.state, now, outcome.error);
      }
      this.schedule(name, tracked);
    };
    tracked.cancelDeadline = this.clock.after(this.policy.attemptTimeoutMs, () => {
      controller.abort();
      finish({ ok: false, error: new Error(`no certificate after ${this.policy.attemptTimeoutMs} ms: attempt abandoned`) });
    });
    let attempt: Promise<Date>;
    try {
      attempt = this.options.renew(name, controller.signal);
    } catch (error) {
      attempt = Promise.reject(error);
    }
    attempt.then((notAfter) => finish({ ok: true, notAfter }), (error: unknown) => finish({ ok: false, error }));
  }
}

/** What a failed attempt means for the clients of `name`, and what to check. */
function failureFields(name: string, state: RenewalState, now: number, error: unknown): Record<string, unknown> {
  return {
    name, error: messageOf(error), failures: state.failures,
    hint: `check that ${name} resolves to this machine, that the CA reaches it on port 80 (HTTP-01 fetches http://${name}/.well-known/acme-challenge/…) and that x-berth.tls.acme.directory is right`,
    ...(state.notAfter !== undefined && state.notAfter.getTime() > now ? { servingUntil: state.notAfter.toISOString() } : {}),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

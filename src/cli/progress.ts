import pc from 'picocolors';
import type { DeployEvent } from '../deploy/deploy-events.js';
import type { SupervisorEvent } from '../supervisor/supervisor.js';

/**
 * Prints supervisor progress as one line per change, with the time since the command began:
 * `  1.2s ✔ db-1       healthy`, `  0.4s … api-1      waiting for migrate completed, redis healthy`.
 * Plain lines rather than a redrawn screen, so that the output reads the same in a terminal and in CI logs.
 */
export class ProgressPrinter {
  private readonly started = Date.now();
  private readonly waitingShown = new Set<string>();

  constructor(private readonly out: NodeJS.WritableStream) {}

  event(event: SupervisorEvent | DeployEvent): void {
    const line = event.type === 'deploy' ? deployLine(event) : this.describe(event);
    if (line) this.out.write(`${pc.dim(`${((Date.now() - this.started) / 1000).toFixed(1).padStart(5)}s`)} ${line}\n`);
  }

  done(): void {
    this.waitingShown.clear();
  }

  private describe(event: SupervisorEvent): string | undefined {
    switch (event.type) {
      case 'plan':
        return process.env.BERTH_DEBUG ? pc.dim(event.text) : undefined;
      case 'step':
        if (event.phase === 'failed') return `${pc.red('✘')} ${name(event)} ${event.kind} failed${event.reason ? `: ${event.reason}` : ''}`;
        if (event.phase === 'skipped') return `${pc.yellow('-')} ${name(event)} not started${event.reason ? `: ${event.reason}` : ''}`;
        return undefined;
      case 'waiting': {
        const key = `${event.service}-${event.replica}:${event.for.join(',')}`;
        if (this.waitingShown.has(key)) return undefined;
        this.waitingShown.add(key);
        return `${pc.dim('…')} ${name(event)} waiting for ${event.for.join(', ')}`;
      }
      case 'status':
        return statusLine(event);
      case 'health':
        return event.health === 'healthy'
          ? `${pc.green('✔')} ${name(event)} healthy`
          : event.health === 'unhealthy' ? `${pc.red('✘')} ${name(event)} unhealthy${event.reason ? `: ${event.reason}` : ''}` : undefined;
      case 'restart':
        return `${pc.yellow('↻')} ${name(event)} exited (${exitText(event.exit)}), restart ${event.restarts} in ${formatMs(event.delayMs)}`;
      case 'warning':
        return `${pc.yellow('!')} ${event.service ? `${event.service}: ` : ''}${event.message}`;
    }
  }
}

function statusLine(event: Extract<SupervisorEvent, { type: 'status' }>): string | undefined {
  const detail = event.detail ? ` (${event.detail})` : '';
  switch (event.status) {
    case 'running':
      return `${pc.green('✔')} ${name(event)} running`;
    case 'stopped':
      return `${pc.dim('■')} ${name(event)} stopped`;
    case 'failed':
      return `${pc.red('✘')} ${name(event)} failed${detail}`;
    case 'exited':
      return event.exit?.code === 0
        ? `${pc.green('✔')} ${name(event)} exited (code 0)${detail}`
        : `${pc.red('✘')} ${name(event)} exited (${event.exit ? exitText(event.exit) : '?'})${detail}`;
    default:
      return undefined;
  }
}

/** `▶ api        switch: all requests → r7`, `✔ api        health (3.2s)`, `✘ api        watch: new release answered …`. */
function deployLine(event: DeployEvent): string | undefined {
  const who = (event.service ?? event.release).padEnd(12);
  const took = event.ms === undefined ? '' : ` (${formatMs(event.ms)})`;
  const detail = event.detail === undefined ? '' : `: ${event.detail}`;
  switch (event.state) {
    case 'begin':
      return `${pc.cyan('▶')} ${who} ${event.phase}${detail}`;
    case 'done':
      return event.phase === 'release' ? `${pc.green('✔')} ${who} deployed${took}` : `${pc.green('✔')} ${who} ${event.phase}${took}`;
    case 'failed':
      return `${pc.red('✘')} ${who} ${event.phase} failed${took}${detail}`;
    case 'info':
      // The policy a service is deployed with is news, not a warning.
      return event.phase === 'release' ? `${pc.dim('·')} ${who} ${event.detail ?? ''}` : `${pc.yellow('!')} ${who} ${event.phase}${detail}`;
  }
}

function name(event: { service: string; replica: number }): string {
  return `${event.service}-${event.replica}`.padEnd(12);
}

function exitText(exit: { code: number | null; signal: string | null }): string {
  if (exit.code !== null) return `code ${exit.code}`;
  return exit.signal ? `signal ${exit.signal}` : 'status unknown';
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

import os from 'node:os';
import { BerthError } from '../errors.js';
import type { Service, Stack } from '../model/stack.js';
import { serviceFingerprint } from '../plan/fingerprint.js';
import { checkNames, dependencyOrder } from '../plan/selection.js';
import { blueGreen } from './blue-green.js';
import type { DeployEventSink } from './deploy-events.js';
import type { DeployTarget } from './deploy-target.js';
import { runJob } from './job.js';
import { recreate } from './recreate.js';
import type { Release, ReleaseId } from './release.js';
import type { ReleaseStore } from './release-store.js';
import { rolling } from './rolling.js';
import { liveReplicas, type ServiceDeploy, type ServiceOutcome } from './service-deploy.js';
import { deployPolicy, describePolicy, type DeployPolicy, type DeployStrategy } from './strategy.js';

export interface DeployRequest {
  readonly stack: Stack;
  /** Services named by the user; empty = every service whose definition changed or that is built from source. */
  readonly services: readonly string[];
  /** Overrides of every service's policy (`--strategy`, `--watch`). */
  readonly strategy?: Exclude<DeployStrategy, 'job'>;
  readonly watchMs?: number;
  /** For `berth rollback`: the release whose definitions are deployed again. */
  readonly rollbackOf?: ReleaseId;
}

/** What `berth deploy` prints at the end. */
export interface DeployResult {
  readonly release: string;
  readonly ok: boolean;
  /** Set when the deploy failed: why, and whether the old release is serving (it is unless a rollback failed). */
  readonly reason?: string;
  readonly rolledBack?: boolean;
  readonly services: readonly { readonly service: string; readonly strategy: DeployStrategy; readonly ok: boolean; readonly reason?: string }[];
  /** Services left out because nothing changed (no names given). */
  readonly unchanged: readonly string[];
}

/**
 * Runs releases: picks the services, records the release, runs each service's strategy in dependency order
 * (one-shot jobs such as migrations first: a failing job stops the deploy before any switch), and records how it
 * ended. One deploy per service at a time: a second one touching a service under deploy is refused.
 */
export class Deployer {
  private readonly busy = new Map<string, string>();

  constructor(private readonly deps: { readonly target: DeployTarget; readonly releases: ReleaseStore }) {}

  async deploy(request: DeployRequest, emit: DeployEventSink, signal: AbortSignal): Promise<DeployResult> {
    const { stack } = request;
    checkNames(stack, request.services);
    const { chosen, unchanged } = this.choose(request);
    if (chosen.length === 0) {
      throw new BerthError('DEPLOY_FAILED', 'nothing to deploy: every service runs its current definition', {
        hint: 'name the services to deploy them again anyway, e.g. `berth deploy api`',
      });
    }
    const taken = chosen.filter((name) => this.busy.has(name));
    if (taken.length > 0) {
      throw new BerthError('DEPLOY_BUSY', `${taken.join(', ')} ${taken.length === 1 ? 'is' : 'are'} being deployed (release ${this.busy.get(taken[0] as string)})`, {
        hint: 'wait for that deploy to finish (`berth releases` shows it), then deploy again',
      });
    }
    // A rollback undoes the releases that are current for its services now.
    const undone = request.rollbackOf === undefined ? [] : [...new Set(chosen.map((name) => this.deps.releases.current(name)).filter((r) => r !== undefined))];
    const release = this.deps.releases.create(request.rollbackOf === undefined ? 'deploy' : 'rollback', chosen.map((name) => stack.services[name] as Service), {
      by: whoAmI(), ...(request.rollbackOf === undefined ? {} : { rollbackOf: request.rollbackOf }),
    });
    for (const name of chosen) this.busy.set(name, release.id);
    emit({ type: 'deploy', at: Date.now(), release: release.id, phase: 'release', state: 'begin', detail: chosen.join(', ') });
    const outcomes: DeployResult['services'][number][] = [];
    try {
      for (const name of chosen) {
        const d = this.serviceDeploy(request, name, release.id, emit, signal);
        emit({ type: 'deploy', at: Date.now(), release: release.id, service: name, phase: 'release', state: 'info', detail: describePolicy(d.policy) });
        const outcome = await this.run(d);
        outcomes.push({ service: name, strategy: d.policy.strategy, ok: outcome.ok, ...(outcome.ok ? {} : { reason: outcome.reason }) });
        if (!outcome.ok) {
          const reason = `${name}: ${outcome.reason}`;
          this.deps.releases.setStatus(release.id, outcome.served ? 'rolled-back' : 'failed', reason);
          emit({ type: 'deploy', at: Date.now(), release: release.id, phase: 'release', state: 'failed', detail: reason });
          return { release: release.id, ok: false, reason, rolledBack: outcome.oldServing, services: outcomes, unchanged };
        }
      }
      this.deps.releases.setStatus(release.id, 'active');
      for (const old of undone) this.deps.releases.setStatus(old.id, 'rolled-back', `undone by ${release.id} (rollback to ${request.rollbackOf ?? '?'})`);
      emit({ type: 'deploy', at: Date.now(), release: release.id, phase: 'release', state: 'done' });
      return { release: release.id, ok: true, services: outcomes, unchanged };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.deps.releases.setStatus(release.id, 'failed', reason);
      throw error;
    } finally {
      for (const name of chosen) if (this.busy.get(name) === release.id) this.busy.delete(name);
    }
  }

  /** The named services plus the one-shot jobs they wait for; or, with no names, what changed. */
  private choose(request: DeployRequest): { chosen: string[]; unchanged: string[] } {
    const { stack } = request;
    const all = Object.keys(stack.services);
    if (request.services.length > 0) {
      const named = new Set(request.services);
      for (const name of request.services) {
        for (const [dep, d] of Object.entries(stack.services[name]?.dependsOn ?? {})) if (d.condition === 'service_completed_successfully') named.add(dep);
      }
      return { chosen: dependencyOrder(stack, all.filter((n) => named.has(n))), unchanged: [] };
    }
    const changed = all.filter((name) => {
      const service = stack.services[name] as Service;
      const current = this.deps.releases.current(name)?.services[name];
      return service.build !== undefined || current === undefined || current.fingerprint !== serviceFingerprint(service);
    });
    return { chosen: dependencyOrder(stack, changed), unchanged: all.filter((n) => !changed.includes(n)) };
  }

  private serviceDeploy(request: DeployRequest, name: string, release: string, emit: DeployEventSink, signal: AbortSignal): ServiceDeploy {
    const service = request.stack.services[name] as Service;
    return {
      stack: request.stack, service, release, emit, signal, target: this.deps.target,
      routed: service.berth.routes.length > 0,
      policy: this.policy(service, request),
    };
  }

  private policy(service: Service, request: DeployRequest): DeployPolicy {
    const base = deployPolicy(service);
    if (base.strategy === 'job') return base;
    return {
      ...base,
      ...(request.strategy === undefined ? {} : { strategy: request.strategy }),
      ...(request.watchMs === undefined ? {} : { watchMs: request.watchMs }),
    };
  }

  private async run(d: ServiceDeploy): Promise<ServiceOutcome> {
    const strategy = d.policy.strategy;
    switch (strategy) {
      case 'job':
        return runJob(d);
      case 'blue-green':
        return d.routed ? blueGreen(d) : rolling(d, this.previous(d));
      case 'canary':
        return d.routed ? blueGreen(d, d.policy.canary) : rolling(d, this.previous(d));
      case 'rolling':
        return rolling(d, this.previous(d));
      case 'recreate':
        return recreate(d, this.previous(d));
      default:
        return assertNever(strategy);
    }
  }

  /** The service as its current release defines it, to roll back to; undefined when nothing runs yet. */
  private previous(d: ServiceDeploy): ServiceDeploy | undefined {
    if (liveReplicas(d).length === 0) return undefined;
    const current: Release | undefined = this.deps.releases.current(d.service.name);
    const spec = current?.services[d.service.name]?.spec;
    if (current === undefined || spec === undefined) return undefined;
    return { ...d, service: spec, release: current.id };
  }
}

function whoAmI(): string {
  try {
    return `${os.userInfo().username}@${os.hostname()}`;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}@${os.hostname()}`;
  }
}

function assertNever(value: never): never {
  throw new Error(`unknown deploy strategy ${String(value)}`);
}

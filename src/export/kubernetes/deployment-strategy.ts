import type { Service } from '../../model/stack.js';
import { deployPolicy } from '../../deploy/strategy.js';

/** A Deployment's `strategy`, and why it differs from what berth would do (a warning), if it does. */
export interface StrategyChoice {
  readonly strategy: Record<string, unknown>;
  readonly note?: string;
}

/**
 * The Deployment strategy for a service, from `deployPolicy` (x-berth.deploy, else compose's update_config):
 * - rolling start-first → RollingUpdate maxSurge=parallelism, maxUnavailable=x-berth rolling.maxUnavailable (0);
 *   stop-first → maxSurge=0, maxUnavailable=parallelism;
 * - blue-green → RollingUpdate maxSurge=100%, maxUnavailable=0 (the whole new set is up before the old goes),
 *   without berth's atomic switch or watch window; canary → the rolling mapping (needs Argo Rollouts or Flagger);
 * - recreate → Recreate; and so is any service that mounts a PersistentVolumeClaim (`hasClaim`): a ReadWriteOnce
 *   volume cannot be mounted by an old and a new pod at once (and two database processes must not share a folder).
 */
export function strategyFor(service: Service, hasClaim: boolean): StrategyChoice {
  const policy = deployPolicy(service);
  if (hasClaim) {
    return {
      strategy: { type: 'Recreate' },
      ...(policy.strategy === 'recreate' ? {} : { note: `mounts a PersistentVolumeClaim (ReadWriteOnce): exported with strategy Recreate instead of ${policy.strategy}` }),
    };
  }
  const { parallelism, order, maxUnavailable } = policy.rolling;
  const rolling = order === 'start-first'
    ? { maxSurge: parallelism, maxUnavailable }
    : { maxSurge: 0, maxUnavailable: parallelism };
  switch (policy.strategy) {
    case 'recreate':
      return { strategy: { type: 'Recreate' } };
    case 'rolling':
    case 'job':
      return { strategy: { type: 'RollingUpdate', rollingUpdate: rolling } };
    case 'blue-green':
      return {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '100%', maxUnavailable: 0 } },
        note: 'blue-green becomes a RollingUpdate with maxSurge 100% (no atomic switch, no watch window or automatic rollback)',
      };
    case 'canary':
      return {
        strategy: { type: 'RollingUpdate', rollingUpdate: rolling },
        note: 'canary becomes a RollingUpdate (traffic steps need Argo Rollouts or Flagger)',
      };
    default:
      return assertNever(policy.strategy);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected deploy strategy ${JSON.stringify(value)}`);
}

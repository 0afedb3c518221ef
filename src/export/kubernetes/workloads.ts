import type { Service } from '../../model/stack.js';
import { strategyFor } from './deployment-strategy.js';
import type { ExportContext } from './export-context.js';
import { kubeName } from './kube-name.js';
import { selectorLabels } from './labels.js';
import type { ExportedObject } from './manifest.js';
import { podTemplate } from './pod-template.js';

/**
 * A long-running service as a Deployment: replicas, selector, strategy (deployment-strategy.ts) and pod. Pods of a
 * Deployment always restart: `on-failure` is warned about; `no` is not, being compose's default, which a
 * long-running service (not a job, see deployPolicy) almost always just leaves unwritten. `deploy.mode: global` is
 * warned about too (a DaemonSet would run one per node; berth exports one Deployment).
 */
export function deploymentFor(ctx: ExportContext, service: Service): ExportedObject {
  const pod = podTemplate(ctx, service, { restartPolicy: 'Always', probes: true });
  const strategy = strategyFor(service, pod.claims.length > 0);
  if (strategy.note !== undefined) ctx.warn(`services.${service.name}.deploy`, strategy.note);
  if (service.restart.kind === 'on-failure') {
    ctx.warn(`services.${service.name}.restart`, 'restart: on-failure becomes Always (pods of a Deployment always restart)');
  }
  if (service.deploy?.mode === 'global') ctx.warn(`services.${service.name}.deploy.mode`, 'global is exported as a Deployment of `replicas` pods, not a DaemonSet');
  return {
    object: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: ctx.meta(kubeName(service.name), service.name, pod.annotations),
      spec: {
        replicas: service.replicas,
        selector: { matchLabels: selectorLabels(ctx.stack, service.name) },
        strategy: strategy.strategy,
        template: pod.template,
      },
    },
    ...(strategy.note === undefined ? {} : { comment: `${service.name}: ${strategy.note}.` }),
  };
}

/**
 * A one-shot service (deployPolicy → job: a migration) as a Job: `restart: no` → restartPolicy Never with
 * backoffLimit 0; on-failure → OnFailure with backoffLimit max_retries (else Kubernetes' 6); always /
 * unless-stopped → OnFailure, backoffLimit 6. A replicated job's replicas become completions and parallelism.
 */
export function jobFor(ctx: ExportContext, service: Service): ExportedObject {
  const { restartPolicy, backoffLimit } = jobRestart(service);
  const pod = podTemplate(ctx, service, { restartPolicy, probes: false });
  const parallel = service.replicas > 1 ? { completions: service.replicas, parallelism: service.replicas } : {};
  return {
    object: {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: ctx.meta(kubeName(service.name), service.name, pod.annotations),
      spec: { backoffLimit, ...parallel, template: pod.template },
    },
    comment: `${service.name} runs once: apply it first and wait for it (kubectl wait --for=condition=complete job/${kubeName(service.name)}).`,
  };
}

/** Kubernetes' own default for `backoffLimit`. */
const KUBE_BACKOFF_LIMIT = 6;

export function jobRestart(service: Service): { restartPolicy: 'Never' | 'OnFailure'; backoffLimit: number } {
  switch (service.restart.kind) {
    case 'no':
      return { restartPolicy: 'Never', backoffLimit: 0 };
    case 'on-failure':
      return { restartPolicy: 'OnFailure', backoffLimit: service.restart.maxRetries ?? KUBE_BACKOFF_LIMIT };
    case 'always':
    case 'unless-stopped':
      return { restartPolicy: 'OnFailure', backoffLimit: KUBE_BACKOFF_LIMIT };
    default:
      return assertNever(service.restart);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected restart policy ${JSON.stringify(value)}`);
}

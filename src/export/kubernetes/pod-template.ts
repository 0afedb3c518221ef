import type { Service } from '../../model/stack.js';
import { containerFor } from './container.js';
import { dependencyWaits } from './dependency-waits.js';
import type { ExportContext } from './export-context.js';
import { selectorLabels, objectLabels } from './labels.js';

/** A pod template plus what the owning workload needs to know about it. */
export interface PodTemplate {
  readonly template: Record<string, unknown>;
  readonly claims: readonly string[];
  /** Annotations for the workload object (build hints, Jobs to run first). */
  readonly annotations: Record<string, string>;
}

/**
 * The pod of a service: wait init containers for `depends_on`, the main container, its volumes, the grace period
 * from `stop_grace_period`. `restartPolicy` is the workload's (Always for Deployments, Never/OnFailure for Jobs).
 */
export function podTemplate(ctx: ExportContext, service: Service, options: { readonly restartPolicy: 'Always' | 'Never' | 'OnFailure'; readonly probes: boolean }): PodTemplate {
  const parts = containerFor(ctx, service, { probes: options.probes });
  const waits = dependencyWaits(ctx, service);
  if (service.stopSignal !== 'SIGTERM') ctx.warn(`services.${service.name}.stop_signal`, `Kubernetes always sends SIGTERM: ${service.stopSignal} is not carried over`);
  const spec: Record<string, unknown> = {
    ...(waits.initContainers.length === 0 ? {} : { initContainers: waits.initContainers }),
    containers: [parts.container],
    restartPolicy: options.restartPolicy,
    terminationGracePeriodSeconds: Math.ceil(service.stopGracePeriodMs / 1000),
    ...(parts.volumes.length === 0 ? {} : { volumes: parts.volumes }),
  };
  return {
    template: { metadata: { labels: { ...objectLabels(ctx.stack, service.name), ...selectorLabels(ctx.stack, service.name) } }, spec },
    claims: parts.claims,
    annotations: { ...parts.annotations, ...waits.annotations },
  };
}

import type { Stack } from '../../model/stack.js';
import { kubeName } from './kube-name.js';

/** The selector labels of a service's pods: stable for the life of the Deployment (selectors are immutable). */
export function selectorLabels(stack: Stack, service: string): Record<string, string> {
  return { 'app.kubernetes.io/instance': kubeName(stack.name), 'app.kubernetes.io/name': kubeName(service) };
}

/** The labels of every object berth emits for a service (or for the stack, with `service` absent). */
export function objectLabels(stack: Stack, service?: string): Record<string, string> {
  const base = { 'app.kubernetes.io/instance': kubeName(stack.name), 'app.kubernetes.io/part-of': 'berth' };
  return service === undefined ? base : { ...base, ...selectorLabels(stack, service) };
}

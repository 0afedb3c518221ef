import type { Stack } from '../../../model/stack.js';
import type { StackRule } from './stack-rule.js';

/**
 * `depends_on` (only between services of the stack; missing ones are another rule's business) has no cycle.
 * Each cycle is reported once, starting from its alphabetically first service: `dependency cycle: api → web → api`.
 */
export const noDependencyCycles: StackRule = (stack, ctx) => {
  for (const cycle of findCycles(stack)) {
    const [first, second] = cycle as [string, string];
    ctx.error('SPEC_CYCLE', ['services', first, 'depends_on', second], `dependency cycle: ${cycle.join(' → ')}`, {
      at: 'key',
      hint: 'remove one of these depends_on entries: services in a cycle can never start',
    });
  }
};

/** The distinct cycles a depth-first search meets, each as `[a, b, …, a]` rotated to start at its smallest name. */
export function findCycles(stack: Stack): string[][] {
  const edges = (name: string): string[] =>
    Object.keys(stack.services[name]?.dependsOn ?? {}).filter((target) => Object.hasOwn(stack.services, target)).sort();
  const state = new Map<string, 'visiting' | 'done'>();
  const trail: string[] = [];
  const found = new Map<string, string[]>();
  const visit = (name: string): void => {
    state.set(name, 'visiting');
    trail.push(name);
    for (const next of edges(name)) {
      const seen = state.get(next);
      if (seen === 'visiting') {
        const cycle = rotate(trail.slice(trail.indexOf(next)));
        found.set(cycle.join('\u0000'), [...cycle, cycle[0] as string]);
      } else if (seen === undefined) {
        visit(next);
      }
    }
    trail.pop();
    state.set(name, 'done');
  };
  for (const name of Object.keys(stack.services).sort()) if (!state.has(name)) visit(name);
  return [...found.values()].sort((a, b) => a.join(' ').localeCompare(b.join(' ')));
}

function rotate(cycle: readonly string[]): string[] {
  const smallest = [...cycle].sort()[0] as string;
  const at = cycle.indexOf(smallest);
  return [...cycle.slice(at), ...cycle.slice(0, at)];
}

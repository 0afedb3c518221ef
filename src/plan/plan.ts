import type { InstanceId } from '../model/ids.js';
import type { DependencyCondition } from '../model/stack.js';
import type { InstanceSpec } from '../runtime/runtime.js';
import { replicaKey } from './observed.js';

/** One Runtime call. */
export type StepKind = 'create' | 'start' | 'stop' | 'remove';

/**
 * A dynamic wait before a start: the dependency's replicas must reach the condition (started, healthy, completed
 * successfully). The supervisor evaluates it against live replica states; `required: false` turns a failure into a
 * warning.
 */
export interface DependencyGate {
  readonly service: string;
  readonly condition: DependencyCondition;
  readonly required: boolean;
}

interface StepFields {
  /** Index in `Plan.steps`; predecessors always have smaller ids. */
  readonly id: number;
  readonly service: string;
  readonly replica: number;
  /** Why the step exists, shown in parentheses: `missing`, `exited`, `scaled down 3 → 2`, `config changed`. */
  readonly cause?: string;
  /** Steps that must succeed first; if one fails or is skipped, this step is skipped. */
  readonly after: readonly number[];
  /** Steps that must finish first, successfully or not (ordering behind an optional dependency). */
  readonly afterOptional: readonly number[];
  readonly gates: readonly DependencyGate[];
}

export type PlanStep =
  | (StepFields & { readonly kind: 'create'; readonly spec: InstanceSpec })
  /** `instance` is absent when the replica is created earlier in the same plan. */
  | (StepFields & { readonly kind: 'start' | 'stop' | 'remove'; readonly instance?: InstanceId });

type Ordering = 'id' | 'after' | 'afterOptional' | 'gates';

/** A step as handed to PlanBuilder.add: no id yet, orderings optional. */
export type NewStep = (PlanStep extends infer S ? (S extends PlanStep ? Omit<S, Ordering> : never) : never) & {
  readonly after?: readonly number[];
  readonly afterOptional?: readonly number[];
  readonly gates?: readonly DependencyGate[];
};

/**
 * What to do to get from the observed state to the desired one: a DAG of Runtime calls. Steps whose predecessors
 * are done run concurrently (replicas of a service, independent branches). Pure data; the supervisor executes it.
 * `toString()` is the human form, golden-tested:
 * ```
 * create db#1      (missing)
 * start db#1       after create db#1
 * start api#1      after create api#1, db healthy, migrate completed
 * stop worker#3    (scaled down 3 → 2)
 * ```
 */
export class Plan {
  readonly steps: readonly PlanStep[];

  constructor(steps: readonly PlanStep[]) {
    steps.forEach((step, index) => {
      const bad = [...step.after, ...step.afterOptional].find((pred) => pred >= index || pred < 0);
      if (step.id !== index || bad !== undefined) throw new Error(`plan step ${index} is out of order`);
    });
    this.steps = steps;
  }

  get isEmpty(): boolean {
    return this.steps.length === 0;
  }

  /** The services the plan touches, in first-touched order. */
  services(): string[] {
    return [...new Set(this.steps.map((step) => step.service))];
  }

  toString(): string {
    if (this.isEmpty) return 'nothing to do\n';
    return `${this.steps.map((step) => this.line(step)).join('\n')}\n`;
  }

  private line(step: PlanStep): string {
    const head = `${step.kind} ${replicaKey(step.service, step.replica)}`.padEnd(16);
    const cause = step.cause === undefined ? '' : ` (${step.cause})`;
    const gated = new Set(step.gates.map((gate) => gate.service));
    const preds = [...step.after, ...step.afterOptional]
      .map((id) => this.steps[id] as PlanStep)
      .filter((pred) => !gated.has(pred.service))
      .map((pred) => `${pred.kind} ${replicaKey(pred.service, pred.replica)}`);
    const waits = [...preds, ...step.gates.map(gateLabel)];
    const after = waits.length === 0 ? '' : ` after ${waits.join(', ')}`;
    return `${head}${cause}${after}`.replace(/^(\S+ \S+)\s+$/, '$1');
  }
}

/** `db healthy`, `migrate completed`, `cache started (optional)`. */
export function gateLabel(gate: DependencyGate): string {
  const what = gate.condition === 'service_healthy' ? 'healthy' : gate.condition === 'service_completed_successfully' ? 'completed' : 'started';
  return `${gate.service} ${what}${gate.required ? '' : ' (optional)'}`;
}

/** Builds a Plan step by step; `add` returns the new step's id for later `after` lists. */
export class PlanBuilder {
  private readonly steps: PlanStep[] = [];

  add(step: NewStep): number {
    const id = this.steps.length;
    this.steps.push({ after: [], afterOptional: [], gates: [], ...step, id } as PlanStep);
    return id;
  }

  /** Ids of the steps added so far for one service. */
  idsOf(service: string): number[] {
    return this.steps.filter((step) => step.service === service).map((step) => step.id);
  }

  build(): Plan {
    return new Plan(this.steps);
  }
}

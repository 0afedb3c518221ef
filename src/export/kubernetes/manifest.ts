/**
 * The shape of what `berth export kubernetes` emits: plain Kubernetes objects (as `kubectl apply` reads them) with
 * an optional human comment printed above each YAML document. Only the fields berth sets are typed loosely here;
 * the schema check lives in the tests (kubernetes-models), not in the product.
 */

/** The object kinds berth emits, in the order they are written (a dependency's objects before its users'). */
export const KIND_ORDER = ['Secret', 'PersistentVolumeClaim', 'Service', 'Job', 'Deployment', 'Ingress'] as const;

export type KubeKind = (typeof KIND_ORDER)[number];

/** `metadata` of an emitted object; `namespace` only when `--namespace` is given. */
export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** One Kubernetes object: apiVersion, kind and metadata typed, the rest (`spec`, `stringData`, …) as plain data. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: KubeKind;
  readonly metadata: ObjectMeta;
  readonly [field: string]: unknown;
}

/** An object plus the comment a reader of the YAML should see above it (why a default was chosen, what to do). */
export interface ExportedObject {
  readonly object: KubeObject;
  readonly comment?: string;
}

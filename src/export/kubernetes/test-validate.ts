/** Test support: checks an emitted object against the Kubernetes OpenAPI schema (kubernetes-models, a dev dependency). */
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import type { KubeObject } from './manifest.js';

/** Throws the schema errors of `object` (after a JSON round trip, as kubectl would read it). */
export function validateKubeObject(object: KubeObject): void {
  const data = JSON.parse(JSON.stringify(object)) as never;
  switch (object.kind) {
    case 'Deployment':
      return new Deployment(data).validate();
    case 'Job':
      return new Job(data).validate();
    case 'Ingress':
      return new Ingress(data).validate();
    case 'PersistentVolumeClaim':
      return new PersistentVolumeClaim(data).validate();
    case 'Secret':
      return new Secret(data).validate();
    case 'Service':
      return new Service(data).validate();
    default:
      return assertNever(object.kind);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected kind ${JSON.stringify(value)}`);
}

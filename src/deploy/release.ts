import { createHash } from 'node:crypto';
import type { Service } from '../model/stack.js';
import { serviceFingerprint, stableJson } from '../plan/fingerprint.js';

/** `r1`, `r2`, …: numbered in creation order within a project. */
export type ReleaseId = string & { readonly __brand: 'ReleaseId' };

export const releaseId = (number: number): ReleaseId => `r${number}` as ReleaseId;

/** Reads `r12` (or `12`) as a release id; undefined for anything else. */
export function parseReleaseId(text: string): ReleaseId | undefined {
  const match = /^r?([1-9][0-9]*)$/.exec(text.trim());
  return match?.[1] === undefined ? undefined : releaseId(Number(match[1]));
}

/**
 * - deploying: replicas being started, traffic switching or the watch window running;
 * - active: deployed and not undone (several releases can be active: each serves the services it contains until a
 *   newer release of that service takes over);
 * - failed: the deploy stopped before the new release took traffic, the old one kept serving;
 * - rolled-back: the release took traffic and was undone (by the watch window or `berth rollback`);
 * - interrupted: the daemon died while it was deploying.
 */
export type ReleaseStatus = 'deploying' | 'active' | 'failed' | 'rolled-back' | 'interrupted';

export type ReleaseKind = 'up' | 'deploy' | 'rollback';

const TRANSITIONS: Readonly<Record<ReleaseStatus, readonly ReleaseStatus[]>> = {
  deploying: ['active', 'failed', 'rolled-back', 'interrupted'],
  active: ['rolled-back'],
  failed: [],
  'rolled-back': [],
  interrupted: [],
};

export const RELEASE_STATUSES = Object.keys(TRANSITIONS) as readonly ReleaseStatus[];

export function canTransition(from: ReleaseStatus, to: ReleaseStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Whether the release is finished: no transition leads out of it except active → rolled-back. */
export function isSettled(status: ReleaseStatus): boolean {
  switch (status) {
    case 'deploying':
      return false;
    case 'active':
    case 'failed':
    case 'rolled-back':
    case 'interrupted':
      return true;
    default:
      return assertNever(status);
  }
}

/** One service as a release deployed it: enough to compare two releases at a glance, and to deploy it again. */
export interface ReleaseService {
  /** serviceFingerprint of `spec`: equal fingerprints = nothing to redeploy. */
  readonly fingerprint: string;
  readonly image?: string;
  readonly command?: readonly string[];
  /** Short sha256 of the environment (the values are in `spec`; this says only whether they changed). */
  readonly envDigest: string;
  /** Short sha256 of everything else in the definition. */
  readonly configDigest: string;
  /** The full definition, so `berth rollback` can deploy it again. Holds the environment: the file is 0600. */
  readonly spec: Service;
}

/** One `berth up` / `berth deploy` / `berth rollback`: which services it deployed and how it ended. */
export interface Release {
  readonly id: ReleaseId;
  readonly number: number;
  /** Epoch ms. */
  readonly createdAt: number;
  /** `user@host` that asked for it. */
  readonly by: string;
  readonly kind: ReleaseKind;
  /** For a rollback: the release whose services it deploys again. */
  readonly rollbackOf?: ReleaseId;
  readonly services: Readonly<Record<string, ReleaseService>>;
  readonly status: ReleaseStatus;
  /** Why it failed, was rolled back or interrupted. */
  readonly reason?: string;
  /** When it became active (kept after a later roll-back: it served traffic once). */
  readonly activatedAt?: number;
  /** When it reached a status other than deploying (the last such change). */
  readonly finishedAt?: number;
}

/** The release entry of one service, with its digests. */
export function releaseService(service: Service): ReleaseService {
  const { environment, ...rest } = service;
  return {
    fingerprint: serviceFingerprint(service),
    ...(service.image === undefined ? {} : { image: service.image }),
    ...(service.command === undefined ? {} : { command: service.command }),
    envDigest: digest(environment),
    configDigest: digest({ ...rest, replicas: undefined, deploy: rest.deploy && { ...rest.deploy, replicas: undefined } }),
    spec: service,
  };
}

function digest(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex').slice(0, 12);
}


export function assertNever(value: never): never {
  throw new Error(`unexpected release status ${JSON.stringify(value)}`);
}

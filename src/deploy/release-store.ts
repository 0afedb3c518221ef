import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileDurably } from '../state/durable-file.js';
import { BerthError } from '../errors.js';
import type { Service } from '../model/stack.js';
import type { StateDir } from '../state/state-dir.js';
import {
  canTransition, RELEASE_STATUSES, releaseId, releaseService, type Release, type ReleaseId, type ReleaseKind, type ReleaseStatus,
} from './release.js';

const VERSION = 1;

export interface ReleaseStoreOptions {
  /** Clock for `createdAt` / `finishedAt` / `activatedAt` (epoch ms); Date.now by default. */
  readonly now?: () => number;
}

export interface CreateReleaseOptions {
  /** `user@host`; the current OS user and host name by default. */
  readonly by?: string;
  /** For a rollback: the release whose services it deploys again. */
  readonly rollbackOf?: ReleaseId;
}

/**
 * The project's releases in `<stateDir>/releases.json`, read once when opened and kept in memory. Every change is
 * written before it is visible: a temp file (mode 0600: the specs hold environments), fsync, rename over the old
 * file, fsync of the folder, so a crash leaves the old or the new list, never half of one. A file that cannot be
 * read or parsed is a STATE_CORRUPT error, never an empty list (that would lose the rollback history).
 * One writer per file: the project's daemon. Status changes follow the table in release.ts.
 */
export class ReleaseStore {
  private releases: readonly Release[];
  private readonly now: () => number;

  constructor(readonly file: string, options: ReleaseStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.releases = this.load();
  }

  static forStateDir(stateDir: StateDir, options: ReleaseStoreOptions = {}): ReleaseStore {
    return new ReleaseStore(path.join(stateDir.root, 'releases.json'), options);
  }

  /** Records a new release, status `deploying`, numbered after the newest one. */
  create(kind: ReleaseKind, services: readonly Service[], options: CreateReleaseOptions = {}): Release {
    const number = Math.max(0, ...this.releases.map((r) => r.number)) + 1;
    const release: Release = {
      id: releaseId(number),
      number,
      createdAt: this.now(),
      by: options.by ?? currentUser(),
      kind,
      ...(options.rollbackOf === undefined ? {} : { rollbackOf: options.rollbackOf }),
      services: Object.fromEntries(services.map((service) => [service.name, releaseService(service)])),
      status: 'deploying',
    };
    this.save([...this.releases, release]);
    return release;
  }

  /** Moves a release to `status`; DEPLOY_NO_RELEASE for an unknown id, DEPLOY_RELEASE_STATE for a change the table forbids. */
  setStatus(id: ReleaseId, status: ReleaseStatus, reason?: string): Release {
    const release = this.get(id);
    if (release === undefined) throw new BerthError('DEPLOY_NO_RELEASE', `there is no release ${id}`);
    if (!canTransition(release.status, status)) {
      throw new BerthError('DEPLOY_RELEASE_STATE', `release ${id} cannot go from ${release.status} to ${status}`, {
        hint: 'this is a bug in berth: please report it with `berth releases` output',
      });
    }
    const at = this.now();
    const next: Release = {
      ...release,
      status,
      ...(reason === undefined ? {} : { reason }),
      ...(status === 'active' ? { activatedAt: at } : {}),
      finishedAt: at,
    };
    this.save(this.releases.map((r) => (r.id === id ? next : r)));
    return next;
  }

  /** Marks every release still `deploying` as `interrupted` (at daemon start: its deployer died); returns them, newest first. */
  interruptDeploying(reason: string): readonly Release[] {
    const stuck = this.deploying();
    if (stuck.length === 0) return [];
    const at = this.now();
    const changed = new Map(stuck.map((r) => [r.id, { ...r, status: 'interrupted' as const, reason, finishedAt: at }]));
    this.save(this.releases.map((r) => changed.get(r.id) ?? r));
    return [...changed.values()];
  }

  get(id: ReleaseId): Release | undefined {
    return this.releases.find((r) => r.id === id);
  }

  /** Newest first. */
  list(): readonly Release[] {
    return [...this.releases].reverse();
  }

  /** The newest `active` release that contains the service: what serves it now. */
  current(service: string): Release | undefined {
    return this.list().find((r) => r.status === 'active' && Object.hasOwn(r.services, service));
  }

  /**
   * What `berth rollback <service>` goes back to: the newest `active` release containing the service that is older
   * than `before` (default: the current release). A rollback release counts as the release it restored, so rolling
   * back twice goes two steps back rather than returning to the release just undone. Rolled-back, failed and
   * interrupted releases are never chosen.
   */
  previous(service: string, before?: ReleaseId): Release | undefined {
    let anchor = before === undefined ? this.current(service) : this.get(before);
    if (anchor === undefined) return undefined;
    const seen = new Set<ReleaseId>();
    while (anchor.kind === 'rollback' && anchor.rollbackOf !== undefined && !seen.has(anchor.id)) {
      seen.add(anchor.id);
      const restored = this.get(anchor.rollbackOf);
      if (restored === undefined) break;
      anchor = restored;
    }
    const limit = anchor.number;
    return this.list().find((r) => r.number < limit && r.status === 'active' && Object.hasOwn(r.services, service));
  }

  /** Releases left `deploying`: with no deploy running, their daemon died mid-way. Newest first. */
  deploying(): readonly Release[] {
    return this.list().filter((r) => r.status === 'deploying');
  }

  private load(): readonly Release[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw this.corrupt(`it cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, error);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw this.corrupt('it is not valid JSON', error);
    }
    if (!isStateFile(value)) throw this.corrupt(`it is not a version ${VERSION} release list`);
    const bad = value.releases.findIndex((r) => !isRelease(r));
    if (bad >= 0) throw this.corrupt(`entry ${bad + 1} is not a release`);
    return value.releases as Release[];
  }

  private save(releases: readonly Release[]): void {
    writeFileDurably(this.file, `${JSON.stringify({ version: VERSION, releases }, null, 1)}\n`);
    this.releases = releases;
  }

  private corrupt(why: string, cause?: unknown): BerthError {
    return new BerthError('STATE_CORRUPT', `cannot read the release history ${this.file}: ${why}`, {
      hint: 'restore the file from a backup, or move it aside to start a new history (`berth rollback` then has nothing to go back to)',
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

function currentUser(): string {
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    user = process.env.USER ?? 'unknown';
  }
  return `${user}@${os.hostname()}`;
}

function isStateFile(value: unknown): value is { version: number; releases: unknown[] } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.version === VERSION && Array.isArray(v.releases);
}

/** Enough shape checking to use a record safely; anything else in it was written by this code. */
function isRelease(value: unknown): value is Release {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r.id === 'string' && typeof r.number === 'number' && r.id === releaseId(r.number)
    && typeof r.createdAt === 'number' && typeof r.by === 'string'
    && (r.kind === 'up' || r.kind === 'deploy' || r.kind === 'rollback')
    && RELEASE_STATUSES.includes(r.status as ReleaseStatus)
    && typeof r.services === 'object' && r.services !== null && !Array.isArray(r.services);
}

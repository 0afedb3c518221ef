import { readFileSync } from 'node:fs';
import type { SpawnUser } from './launch-plan.js';

export interface AccountFiles {
  readonly passwd: string;
  readonly group: string;
}

const SYSTEM_FILES = { passwd: '/etc/passwd', group: '/etc/group' };

/**
 * Resolves a compose `user:` (`name`, `uid`, `name:group`, `uid:gid`) against /etc/passwd and /etc/group.
 * Undefined when the user is not an account of this host (a numeric uid must exist too); a group that cannot be
 * resolved falls back to the user's primary group.
 */
export function resolveOsUser(spec: string, files: AccountFiles = SYSTEM_FILES): SpawnUser | undefined {
  const [userPart = '', groupPart] = spec.split(':');
  const passwd = readTable(files.passwd);
  const entry = passwd.find((fields) => fields[0] === userPart || (/^\d+$/.test(userPart) && fields[2] === userPart));
  if (!entry) return undefined;
  const uid = Number(entry[2]);
  let gid = Number(entry[3]);
  if (groupPart !== undefined && groupPart !== '') {
    const group = readTable(files.group).find((fields) => fields[0] === groupPart || fields[2] === groupPart);
    if (group) gid = Number(group[2]);
    else if (/^\d+$/.test(groupPart)) gid = Number(groupPart);
  }
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) return undefined;
  return { uid, gid, ...(entry[0] ? { name: entry[0] } : {}), ...(entry[5] ? { home: entry[5] } : {}) };
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function readTable(file: string): string[][] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((line) => line !== '' && !line.startsWith('#')).map((line) => line.split(':'));
  } catch {
    return [];
  }
}

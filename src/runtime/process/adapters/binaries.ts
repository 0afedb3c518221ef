import { accessSync, constants, readdirSync } from 'node:fs';
import path from 'node:path';

/** Folders searched after PATH: servers often live in sbin folders that a user's PATH lacks. */
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The first executable `name` on `searchPath` (then the usual system folders), or undefined. */
export function findOnPath(name: string, searchPath: string | undefined = process.env.PATH, extraDirs: readonly string[] = EXTRA_DIRS): string | undefined {
  const dirs = [...(searchPath ?? '').split(':').filter((d) => d !== ''), ...extraDirs];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The newest versioned install under Debian-style roots (`/usr/lib/postgresql/<ver>/bin`) that has all `programs`.
 */
export function findVersionedBin(roots: readonly string[], programs: readonly string[]): { bin: string; version: number } | undefined {
  const found: { bin: string; version: number }[] = [];
  for (const root of roots) {
    let versions: string[];
    try {
      versions = readdirSync(root);
    } catch {
      continue;
    }
    for (const version of versions) {
      const bin = path.join(root, version, 'bin');
      if (/^\d+(\.\d+)?$/.test(version) && programs.every((p) => isExecutable(path.join(bin, p)))) found.push({ bin, version: Number(version) });
    }
  }
  return found.sort((a, b) => b.version - a.version)[0];
}

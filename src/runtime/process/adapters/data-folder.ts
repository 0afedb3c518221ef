import { chmod, chown, lchown, lstat, mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { BerthError } from '../../../errors.js';
import type { SpawnUser } from '../launch/launch-plan.js';

export interface DataFolderOptions {
  readonly dir: string;
  /** The account the server runs as; undefined = berth's own (nothing to hand over). */
  readonly owner?: SpawnUser;
  /** Folder mode (postgres insists on 0700). */
  readonly mode: number;
  /** Berth's state folder: its own folders on the way may be made searchable (o+x) for the owner. */
  readonly stateDir: string;
  /** What needs the folder, for messages (`postgres`). */
  readonly program: string;
}

/**
 * Creates a server's data folder and hands it to the account the server runs as, as the official images' entry
 * points do: every entry not owned by it is chowned, the folder gets `mode`. The folders above it must be
 * searchable by that account: berth's own folders (the state folder, 0700) get o+x (search, not listing);
 * any other folder that is not searchable is an error that says what to change.
 */
export async function prepareDataFolder(options: DataFolderOptions): Promise<void> {
  await mkdir(options.dir, { recursive: true, mode: options.mode });
  const owner = options.owner;
  if (owner) {
    await makeReachable(options, owner);
    await chownTree(options.dir, owner);
  }
  await chmod(options.dir, options.mode);
}

async function makeReachable(options: DataFolderOptions, owner: SpawnUser): Promise<void> {
  const state = path.resolve(options.stateDir);
  const blocked: string[] = [];
  for (let dir = path.dirname(path.resolve(options.dir)); ; dir = path.dirname(dir)) {
    const info = await stat(dir);
    const bit = info.uid === owner.uid ? 0o100 : info.gid === owner.gid ? 0o010 : 0o001;
    if ((info.mode & bit) === 0) {
      if (dir === state || dir.startsWith(`${state}${path.sep}`)) await chmod(dir, (info.mode & 0o7777) | 0o001);
      else blocked.push(dir);
    }
    if (dir === path.dirname(dir)) break;
  }
  if (blocked.length === 0) return;
  // Not fixed silently: search permission on a user's folder lets every local user open files in it by name.
  throw new BerthError('RUNTIME_START_FAILED', `${options.program} runs as the user \`${owner.name ?? owner.uid}\`, which cannot reach ${options.dir}: ${blocked.reverse().join(', ')} ${blocked.length === 1 ? 'is' : 'are'} not searchable by it`, {
    hint: `allow it with \`chmod o+x ${blocked.join(' ')}\`, or move the project to a folder other users can enter (e.g. /srv or /opt)`,
  });
}

async function chownTree(dir: string, owner: SpawnUser): Promise<void> {
  const info = await lstat(dir);
  if (info.uid !== owner.uid || info.gid !== owner.gid) await (info.isSymbolicLink() ? lchown : chown)(dir, owner.uid, owner.gid);
  if (!info.isDirectory()) return;
  for (const name of await readdir(dir)) await chownTree(path.join(dir, name), owner);
}

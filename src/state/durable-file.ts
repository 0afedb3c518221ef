import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';

let writes = 0;

/**
 * Replaces `file` with `text` so that a crash leaves the old or the new content, never half of one: a temp file
 * beside it (mode 0600: berth's state files hold environments), fsync, rename over the old file, fsync of the
 * folder (created 0700 when missing).
 */
export function writeFileDurably(file: string, text: string): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${(writes += 1)}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

import os from 'node:os';
import type { ExitInfo } from '../runtime.js';

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(os.constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
);

/**
 * An exit as the Engine reports it (an exit code; a container killed by signal N exits with 128+N, as a shell
 * reports it) turned into berth's ExitInfo: 128+N for a known signal N becomes `{ code: null, signal }`.
 */
export function exitFromCode(exitCode: number, at: number): ExitInfo {
  const signal = exitCode > 128 ? SIGNAL_NAMES.get(exitCode - 128) : undefined;
  return signal ? { code: null, signal, at } : { code: exitCode, signal: null, at };
}

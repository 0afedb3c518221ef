import pc from 'picocolors';
import { RemoteError } from '../api/client.js';
import { BerthError, formatWarning, type Warning } from '../errors.js';

/** Human output of errors and warnings on stderr. Never a stack trace unless BERTH_DEBUG is set. */
export function printError(error: unknown): void {
  if (error instanceof RemoteError) {
    for (const line of error.lines()) console.error(colourIssue(line));
  } else if (error instanceof BerthError) {
    const list = error.issues.length > 0 ? error.issues : [error];
    if (error.issues.length > 0) console.error(pc.red(`error: ${error.message}`));
    for (const issue of list) console.error(colourIssue(issue.format()));
  } else {
    console.error(pc.red(`internal error: ${error instanceof Error ? error.message : String(error)}`));
    console.error('  hint: this is a bug in berth; run again with BERTH_DEBUG=1 and report the output');
  }
  if (process.env.BERTH_DEBUG && error instanceof Error && error.stack) console.error(pc.dim(error.stack));
}

export function printWarnings(warnings: readonly Warning[]): void {
  for (const warning of warnings) console.error(pc.yellow(formatWarning(warning)));
}

function colourIssue(text: string): string {
  const [head, ...rest] = text.split('\n');
  return [pc.red(head ?? ''), ...rest.map((line) => pc.dim(line))].join('\n');
}

/** Exit status for an error: 2 for usage errors, 1 for everything else. */
export function exitStatusFor(error: unknown): number {
  if (error instanceof RemoteError) return error.detail.code === 'USAGE' ? 2 : 1;
  return error instanceof BerthError && error.code === 'USAGE' ? 2 : 1;
}

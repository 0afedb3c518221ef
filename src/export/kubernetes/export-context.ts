import type { Warning } from '../../errors.js';
import type { Stack } from '../../model/stack.js';
import type { ObjectMeta } from './manifest.js';
import { objectLabels } from './labels.js';

/** What every mapping reads (the stack, the target namespace) and where it reports what it cannot carry over. */
export class ExportContext {
  readonly warnings: Warning[] = [];

  constructor(
    readonly stack: Stack,
    readonly namespace?: string,
  ) {}

  /** A warning about `services.<service>.<key>` (or a top-level path when `service` is undefined). */
  warn(path: string, message: string): void {
    this.warnings.push({ path, message });
  }

  /** metadata for an object named `name`, labelled for `service` (or the stack). */
  meta(name: string, service?: string, annotations?: Readonly<Record<string, string>>): ObjectMeta {
    return {
      name,
      ...(this.namespace === undefined ? {} : { namespace: this.namespace }),
      labels: objectLabels(this.stack, service),
      ...(annotations === undefined || Object.keys(annotations).length === 0 ? {} : { annotations }),
    };
  }
}

import type { Stack } from '../../../model/stack.js';
import type { StageContext } from '../../stage-context.js';

/**
 * One semantic check of a loaded Stack: it records problems in `ctx` (errors, or warnings for what compose
 * tolerates) and changes nothing. Rules run on the typed Stack, after profiles are applied, so they see exactly the
 * services that will run; positions come from `ctx.sources` by compose path (`services.web.depends_on.db`), which
 * the loader keeps stable from the YAML to the Stack.
 */
export type StackRule = (stack: Stack, ctx: StageContext) => void;

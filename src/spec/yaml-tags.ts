/**
 * Compose's merge tags. `!reset` removes what earlier files set for a key; `!override` replaces it whole instead
 * of merging. The parser turns tagged nodes into these markers; the merge consumes them, so none survive loading.
 */
export class ResetMarker {
  readonly kind = 'reset' as const;
}

export class OverrideMarker {
  readonly kind = 'override' as const;
  constructor(readonly value: unknown) {}
}

export function isResetMarker(value: unknown): value is ResetMarker {
  return value instanceof ResetMarker;
}

export function isOverrideMarker(value: unknown): value is OverrideMarker {
  return value instanceof OverrideMarker;
}

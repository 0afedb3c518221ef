import { distance } from 'fastest-levenshtein';

/**
 * The candidate a user most likely meant when they wrote `input`, or undefined when none is close enough.
 * A case-only difference always wins; otherwise the nearest candidate by edit distance, if it is within a third of
 * the input's length (at least 1, at most 3 edits; swapping two neighbours counts as one), so `helthcheck` →
 * `healthcheck` and `imgae` → `image`, but `foo` suggests nothing.
 * Ties go to the candidate that comes first in sorted order, so the answer does not depend on candidate order.
 */
export function suggest(input: string, candidates: Iterable<string>): string | undefined {
  const sorted = [...new Set(candidates)].filter((c) => c !== input).sort();
  const lower = input.toLowerCase();
  const sameLetters = sorted.find((c) => c.toLowerCase() === lower);
  if (sameLetters !== undefined) return sameLetters;
  const limit = Math.min(3, Math.max(1, Math.floor(input.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of sorted) {
    const d = typoDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** ` — did you mean `x`?` when a candidate is close, else the empty string; for appending to a message. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const hit = suggest(input, candidates);
  return hit === undefined ? '' : ` — did you mean \`${hit}\`?`;
}

/** Edit distance, except that one swap of neighbouring letters (the commonest typo) counts as a single edit. */
function typoDistance(a: string, b: string): number {
  const d = distance(a, b);
  if (d !== 2 || a.length !== b.length) return d;
  for (let i = 0; i + 1 < a.length; i++) {
    if (a[i] === b[i]) continue;
    const swapped = a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
    return swapped ? 1 : d;
  }
  return d;
}

/**
 * "Did you mean" suggestions: the candidate nearest to a mistyped name by edit distance, if it is
 * close enough to be a plausible typo.
 */

/** Levenshtein distance between two strings, case-insensitive. */
export function editDistance(a: string, b: string): number {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    for (let j = 1; j <= right.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (left[i - 1] === right[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

/**
 * The candidate closest to `name`, or undefined when none is within a third of the name's length
 * (at least 2 edits), which keeps suggestions to plausible typos.
 *
 * @example
 * ```ts
 * closestName('ordres', ['orders', 'customers']); // 'orders'
 * ```
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance && distance <= limit) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** A hint sentence for a suggestion, or undefined when there is nothing to suggest. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const suggestion = closestName(name, candidates);
  return suggestion === undefined ? undefined : `did you mean "${suggestion}"?`;
}

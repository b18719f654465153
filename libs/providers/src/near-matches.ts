/**
 * nearMatches returns the values of `known` a mistyped `value` most likely
 * meant, best first, at most `limit`: those at the smallest edit distance
 * (insertions, deletions, substitutions and swaps of neighbours, ignoring
 * case) when it is small for the value's length, plus values that start
 * with `value` (a region code without its number). Empty when nothing is
 * close: a suggestion must help, not list everything.
 */
export function nearMatches(value: string, known: readonly string[], limit = 5): string[] {
  const wanted = value.toLowerCase();
  // Long input is no typo of a short code; it also keeps the work bounded.
  if (wanted === "" || wanted.length > 64) return [];
  const budget = Math.max(1, Math.min(2, Math.floor(wanted.length / 3)));
  const scored = known.map((candidate, index) => {
    const lower = candidate.toLowerCase();
    const distance = editDistance(wanted, lower);
    const completes = wanted.length >= 2 && lower.startsWith(wanted);
    return { candidate, index, distance, close: distance <= budget || completes };
  });
  const close = scored.filter((s) => s.close);
  if (close.length === 0) return [];
  const best = Math.min(...close.map((s) => s.distance));
  return (
    close
      // Only the closest, unless the value is a prefix (then all its completions).
      .filter((s) => s.distance === best || s.candidate.toLowerCase().startsWith(wanted))
      .sort((x, y) => x.distance - y.distance || x.index - y.index)
      .slice(0, limit)
      .map((s) => s.candidate)
  );
}

/** didYouMean renders {@link nearMatches} as "; did you mean a, b?", or "" when there are none. */
export function didYouMean(value: string, known: readonly string[]): string {
  const matches = nearMatches(value, known);
  return matches.length === 0 ? "" : `; did you mean ${matches.join(", ")}?`;
}

// Optimal string alignment distance (Levenshtein plus adjacent swaps), two rows plus one.
function editDistance(a: string, b: string): number {
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      current.push(d);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}

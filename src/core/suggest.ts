/** Edit distance (Levenshtein) between two short strings. */
export function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The candidate nearest to `typed`, if it is near enough to be what was meant. */
export function closest(typed: string, candidates: string[]): string | undefined {
  let best: { value: string; score: number } | undefined;
  for (const value of candidates) {
    const score = distance(typed, value);
    if (!best || score < best.score) best = { value, score };
  }
  return best && best.score <= Math.max(2, Math.floor(typed.length / 3)) ? best.value : undefined;
}

// Judging a rate limiter by the slots it decided.

/** The most slots in any window of `windowMs`. */
export function maxInWindow(slots: number[], windowMs = 1000): number {
  const s = [...slots].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < s.length; i++) {
    while (s[i] - s[j] >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/**
 * "Did you mean …?" for names a user types: the closest candidate by edit distance (optimal string
 * alignment: insertions, deletions, substitutions and adjacent transpositions; case-insensitive),
 * when it is close enough to be a typo: at most 1 edit for names of up to 4 characters, 2 up to 8,
 * else 3; none when two candidates tie.
 */

export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const row = d[i]!;
      row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[x.length]![y.length]!;
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  const limit = word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestD = Infinity;
  let tie = false;
  for (const c of new Set(candidates)) {
    if (c.toLowerCase() === word.toLowerCase()) return c;
    const dist = editDistance(word, c);
    if (dist < bestD) {
      best = c;
      bestD = dist;
      tie = false;
    } else if (dist === bestD) tie = true;
  }
  return bestD <= limit && !tie ? best : undefined;
}

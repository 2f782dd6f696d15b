/** Statistics for frontier scores: Wilson intervals and a two-proportion z-test. */

export function wilson(k: number, n: number, z = 1.959964): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = p + (z * z) / (2 * n);
  const m = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return { low: Math.max(0, (c - m) / d), high: Math.min(1, (c + m) / d) };
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(x * x) / 2);
  return x >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/** Two-sided two-proportion z-test (pooled). p = 1 when either sample is empty or both rates are 0 or 1. */
export function twoProportionTest(k1: number, n1: number, k2: number, n2: number): { diff: number; z: number; p: number } {
  if (n1 === 0 || n2 === 0) return { diff: 0, z: 0, p: 1 };
  const p1 = k1 / n1;
  const p2 = k2 / n2;
  const pool = (k1 + k2) / (n1 + n2);
  const se = Math.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2));
  if (se === 0) return { diff: p1 - p2, z: 0, p: 1 };
  const z = (p1 - p2) / se;
  return { diff: p1 - p2, z, p: Math.min(1, 2 * (1 - normalCdf(Math.abs(z)))) };
}

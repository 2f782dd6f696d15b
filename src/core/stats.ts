import type { Rate } from './report.js';

/**
 * The statistics every feature shares: proportions with their 95% Wilson score intervals (eval
 * metrics, red-team attack success rates, frontier scores, reports) and the pooled two-proportion
 * z-test (run comparison, frontier version comparison).
 *
 * Sign convention, one for the whole code base: `twoProportionZTest(kA, nA, kB, nB)` compares B
 * against A and reports `diff = pB − pA` and `z` of that same difference, so both are positive when
 * B's rate is higher. Pass the baseline (the older run, the earlier version) first.
 */

const Z95 = 1.959963984540054;

/** 95% Wilson score interval for k successes out of n. */
export function wilson(k: number, n: number, z = Z95): { low: number; high: number } {
  if (n <= 0) return { low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** k of n as a `Rate` (value and Wilson interval; nulls when n = 0). */
export function rate(k: number, n: number): Rate {
  if (n <= 0) return { k: 0, n: 0, value: null, low: null, high: null };
  const { low, high } = wilson(k, n);
  return { k, n, value: k / n, low, high };
}

/** Complementary error function (Numerical Recipes' Chebyshev fit, |error| < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export interface ZTest {
  /** pB − pA: positive when B's rate is higher. */
  diff: number;
  /** z statistic of pB − pA (same sign as `diff`). */
  z: number;
  /** Two-sided p-value. */
  p: number;
}

/**
 * Pooled two-proportion z-test of B (kB/nB) against A (kA/nA); see the sign convention above.
 * Returns null when either side has no trials. When both rates are 0 or both are 1 (no variance)
 * the samples do not differ: z = 0, p = 1.
 */
export function twoProportionZTest(kA: number, nA: number, kB: number, nB: number): ZTest | null {
  if (nA <= 0 || nB <= 0) return null;
  const pA = kA / nA;
  const pB = kB / nB;
  const diff = pB - pA;
  const pooled = (kA + kB) / (nA + nB);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / nA + 1 / nB));
  if (se === 0) return { diff, z: 0, p: 1 };
  const z = diff / se;
  return { diff, z, p: Math.min(1, erfc(Math.abs(z) / Math.SQRT2)) };
}

/** Two-proportion z-test (pooled), for comparing a rate between two runs. */

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
  /** z statistic of (p_b − p_a); positive when B's rate is higher. */
  z: number;
  /** Two-sided p-value. */
  p: number;
}

/**
 * Pooled two-proportion z-test of k1/n1 against k2/n2. Returns null when either side has no trials.
 * When both rates are 0 or both are 1 (no variance) the samples do not differ: z = 0, p = 1.
 */
export function twoProportionZTest(k1: number, n1: number, k2: number, n2: number): ZTest | null {
  if (n1 <= 0 || n2 <= 0) return null;
  const p1 = k1 / n1;
  const p2 = k2 / n2;
  const pooled = (k1 + k2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { z: 0, p: 1 };
  const z = (p2 - p1) / se;
  const p = Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
  return { z, p };
}

import type { Rate } from './report.js';

/** Proportions with their 95% Wilson score intervals: one helper for eval metrics, red-team attack success rates and reports. */

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

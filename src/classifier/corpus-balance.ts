/**
 * Example weights for a mixed corpus: no source may outweigh `sourceCap` rows, and no language may
 * teach the label. Within a language that has both labels, safe and unsafe are re-weighted to the
 * corpus-wide unsafe share; a language with one label only (the shared corpus has bn, jv, ko, sw
 * unsafe only and de, el, es, hi, ro, ru, tr, pt safe only) is capped at `singleLabelCap` rows of
 * weight, so its script cannot become a shortcut for that label.
 */

export interface BalanceRow {
  source: string;
  lang: string;
  /** The label the row teaches (unsafe = the ladder blocks its topic and level). */
  unsafe: boolean;
}

export interface BalanceOptions {
  /** Most total weight one source may have (default 1500). Sources in `uncapped` are left alone. */
  sourceCap?: number;
  uncapped?: ReadonlySet<string>;
  /** Most total weight of a language with one label only (default 60). */
  singleLabelCap?: number;
  /** Bounds of the per-language label factors (default [0.25, 4]). */
  clip?: [number, number];
}

export function balanceWeights(rows: BalanceRow[], opts: BalanceOptions = {}): number[] {
  const cap = opts.sourceCap ?? 1500;
  const single = opts.singleLabelCap ?? 60;
  const [lo, hi] = opts.clip ?? [0.25, 4];
  const perSource = new Map<string, number>();
  for (const r of rows) perSource.set(r.source, (perSource.get(r.source) ?? 0) + 1);
  const w = rows.map((r) => (opts.uncapped?.has(r.source) ? 1 : Math.min(1, cap / perSource.get(r.source)!)));
  const byLang = new Map<string, { u: number; s: number }>();
  rows.forEach((r, i) => {
    const c = byLang.get(r.lang) ?? { u: 0, s: 0 };
    if (r.unsafe) c.u += w[i]!;
    else c.s += w[i]!;
    byLang.set(r.lang, c);
  });
  let U = 0;
  let S = 0;
  for (const c of byLang.values()) {
    if (c.u > 0 && c.s > 0) {
      U += c.u;
      S += c.s;
    }
  }
  const g = U + S > 0 ? U / (U + S) : 0.5;
  const clip = (x: number): number => Math.min(hi, Math.max(lo, x));
  const factor = new Map<string, { u: number; s: number }>();
  for (const [lang, c] of byLang) {
    const total = c.u + c.s;
    if (c.u > 0 && c.s > 0) factor.set(lang, { u: clip((g * total) / c.u), s: clip(((1 - g) * total) / c.s) });
    else {
      const f = Math.min(1, single / total);
      factor.set(lang, { u: f, s: f });
    }
  }
  return rows.map((r, i) => {
    const f = factor.get(r.lang)!;
    return w[i]! * (r.unsafe ? f.u : f.s);
  });
}

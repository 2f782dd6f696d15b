import { isAlias, isMap, isPair, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { Problem } from './errors.js';

/**
 * A parsed YAML document to plain JS, with aliases bounded: a document whose aliases would expand
 * past the limit (an "alias bomb", a few lines that expand to billions of nodes) is a located
 * problem, `FILE:LINE:COL` at the alias that expands the most, instead of an uncaught
 * "Excessive alias count" error.
 */

/** The yaml library's guard: how many times one anchor may be expanded, scaled by its size. */
export const MAX_ALIAS_COUNT = 100;

export type YamlJs = { ok: true; value: unknown } | { ok: false; problem: Problem };

export function yamlToJs(doc: Document.Parsed, lines: LineCounter, file: string, opts: { maxAliasCount?: number } = {}): YamlJs {
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: opts.maxAliasCount ?? MAX_ALIAS_COUNT }) as unknown };
  } catch (e) {
    if (!(e instanceof ReferenceError) && !/alias/i.test((e as Error)?.message ?? '')) throw e;
    const worst = worstAlias(doc);
    const at = worst?.node.range ? lines.linePos(worst.node.range[0]) : { line: 1, col: 1 };
    const name = worst ? `*${worst.node.source}` : 'an alias';
    const size = worst && Number.isFinite(worst.size) ? ` expands to ${worst.size.toLocaleString('en')} nodes` : ' expands without bound';
    return {
      ok: false,
      problem: { file, ...at, message: `YAML alias ${name}${size}: too many aliases (an alias bomb?); write the values out instead of nesting aliases` },
    };
  }
}

interface Worst {
  node: Node & { source: string };
  size: number;
}

/** The alias whose expansion is largest (the first such in document order). Sizes saturate at 1e15. */
function worstAlias(doc: Document.Parsed): Worst | null {
  const memo = new Map<unknown, number>();
  const busy = new Set<unknown>();
  let worst: Worst | null = null;
  const CAP = 1e15;
  const size = (n: unknown): number => {
    if (n === null || typeof n !== 'object') return 1;
    const cached = memo.get(n);
    if (cached !== undefined) return cached;
    if (busy.has(n)) return CAP;
    busy.add(n);
    let s = 1;
    if (isAlias(n)) {
      const target = n.resolve(doc);
      s = target ? size(target) : 1;
      if (!worst || s > worst.size) worst = { node: n as Node & { source: string }, size: s };
    } else if (isMap(n) || isSeq(n)) {
      for (const it of n.items as unknown[]) s = Math.min(CAP, s + size(it));
    } else if (isPair(n)) {
      s = Math.min(CAP, size(n.key) + size(n.value));
    }
    busy.delete(n);
    memo.set(n, s);
    return s;
  };
  size(doc.contents);
  return worst;
}

import type { Caller, Ctx, Decision } from '../core/types.js';
import type { PolicyGuard } from './guard.js';

/**
 * `pillars guard classify --batch`: one JSONL decision per input line, every line decided by the
 * same guard in one process (the model loads once). An input line is a JSON object
 * `{text, id?, role?, tier?, context?}`, a JSON string, or plain text; blank lines are skipped.
 * Flags give the defaults for `role`, `tier` and `context`. A bad line gives an output line
 * `{line, error}` (and the caller reports it as `stdin:LINE:COL`); the others are still decided.
 */

export interface BatchRequest {
  text: string;
  id?: string | number;
  role?: 'input' | 'output';
  tier?: string;
  context?: string;
}

export type BatchParse = { ok: true; value: BatchRequest } | { ok: false; col: number; message: string };

export function parseBatchLine(raw: string): BatchParse {
  const s = raw.trim();
  if (!s.startsWith('{') && !s.startsWith('"')) return { ok: true, value: { text: raw.replace(/\r$/, '') } };
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch (e) {
    return { ok: false, col: 1, message: `invalid JSON: ${(e as Error).message} (a line is a JSON object, a JSON string or plain text not starting with { or ")` };
  }
  if (typeof v === 'string') return v.trim() === '' ? { ok: false, col: 1, message: 'empty text' } : { ok: true, value: { text: v } };
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { ok: false, col: 1, message: 'a line must be a JSON object {text, id?, role?, tier?, context?} or a JSON string' };
  const o = v as Record<string, unknown>;
  const col = (field: string): number => Math.max(1, raw.indexOf(`"${field}"`) + 1);
  if (typeof o.text !== 'string' || o.text.trim() === '') return { ok: false, col: col('text'), message: 'text: must be a non-empty string' };
  if (o.id !== undefined && typeof o.id !== 'string' && typeof o.id !== 'number') return { ok: false, col: col('id'), message: `id: must be a string or a number, got ${JSON.stringify(o.id)}` };
  if (o.role !== undefined && o.role !== 'input' && o.role !== 'output') return { ok: false, col: col('role'), message: `role: must be input or output, got ${JSON.stringify(o.role)}` };
  for (const f of ['tier', 'context'] as const) {
    if (o[f] !== undefined && (typeof o[f] !== 'string' || o[f] === '')) return { ok: false, col: col(f), message: `${f}: must be a non-empty string, got ${JSON.stringify(o[f])}` };
  }
  return {
    ok: true,
    value: {
      text: o.text,
      ...(o.id !== undefined ? { id: o.id as string | number } : {}),
      ...(o.role !== undefined ? { role: o.role as 'input' | 'output' } : {}),
      ...(o.tier !== undefined ? { tier: o.tier as string } : {}),
      ...(o.context !== undefined ? { context: o.context as string } : {}),
    },
  };
}

export type BatchResult = { line: number; id?: string | number } & ({ decision: Decision } | { error: string; col: number });

export interface BatchDefaults {
  tier: string;
  context?: string;
  role: 'input' | 'output';
}

/** Decide every line, in order. */
export async function* classifyBatch(lines: AsyncIterable<string>, guard: PolicyGuard, defaults: BatchDefaults, ctx: Ctx): AsyncGenerator<BatchResult> {
  let n = 0;
  for await (const raw of lines) {
    n++;
    if (raw.trim() === '') continue;
    const p = parseBatchLine(raw);
    if (!p.ok) {
      yield { line: n, error: p.message, col: p.col };
      continue;
    }
    const r = p.value;
    const caller: Caller = { tier: r.tier ?? defaults.tier };
    const context = r.context ?? defaults.context;
    if (context) caller.context = context;
    const decision = await guard.check({ text: r.text, caller, role: r.role ?? defaults.role }, ctx);
    yield { line: n, ...(r.id !== undefined ? { id: r.id } : {}), decision };
  }
}

import type { GateResult } from '../core/report.js';
import type { Db } from '../store/db.js';
import { createFrontierStore, type FrontierCase, type FrontierResult, type FrontierStore } from '../store/frontier.js';

/**
 * The release gate the eval runner adds: for each domain's latest frontier result of the target, a
 * failed gate while that result is over threshold and its review case is open or rejected; a passed
 * one when it is under threshold or a reviewer approved it for that model version. No frontier
 * results: no gates.
 */
export function frontierGate(db: Db, targetId: string): GateResult[] {
  const store = createFrontierStore(db);
  return store.latest(targetId).map((r) => gateOf(r, r.over ? store.findCase(targetId, r.modelVersion, r.domain) : null));
}

/** The same gates from any FrontierStore (SQLite or PostgreSQL). */
export async function frontierGates(store: FrontierStore, targetId: string): Promise<GateResult[]> {
  const out: GateResult[] = [];
  for (const r of await store.latest(targetId)) out.push(gateOf(r, r.over ? await store.findCase(targetId, r.modelVersion, r.domain) : null));
  return out;
}

function gateOf(r: FrontierResult, c: FrontierCase | null): GateResult {
  const base = { metric: `frontier.${r.domain}`, max: r.threshold, value: r.score };
  if (!r.over) return { ...base, passed: true, reason: `${r.domain} accuracy ${r.score.toFixed(3)} is at or below ${r.threshold}` };
  if (c?.status === 'approved') return { ...base, passed: true, reason: `over threshold; review case ${c.id} approved by ${c.reviewer ?? '?'} for ${r.modelVersion}` };
  if (c?.status === 'rejected') return { ...base, passed: false, reason: `over threshold; review case ${c.id} was rejected by ${c.reviewer ?? '?'} for ${r.modelVersion}` };
  const id = c?.id ?? '(none)';
  return { ...base, passed: false, reason: `over threshold; review case ${id} is open: pillars frontier signoff ${id} --reviewer NAME --decision approve|reject` };
}

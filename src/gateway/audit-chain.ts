import { createHash } from 'node:crypto';
import type { AuditRow } from '../store/audit-read.js';

/**
 * The audit hash chain's primitives: the record shapes, canonical JSON and a record's hash.
 * hash = SHA-256(canonical JSON of the row's fields, prev_hash included).
 */

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  ts: string;
  requestId: string;
  keyId: string | null;
  tier: string;
  context: string | null;
  route: string;
  action: string;
  policy: string | null;
  pillar: string | null;
  topic: string | null;
  level: number | null;
  score: number | null;
  stage: string | null;
  /** `full`: prompt and response captured in `detail`; `standard`: hashes and lengths only. */
  monitoring: 'full' | 'standard';
  detail: Record<string, unknown>;
}

/** The stored row (its table belongs to the store: store/audit-read.ts). */
export type { AuditRow };

/** JSON with object keys sorted at every depth: the same value always gives the same text. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x === undefined ? null : x)).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/** The hash of a row: every stored column but `hash` itself. */
export function rowHash(row: Omit<AuditRow, 'hash'>): string {
  const { seq, ts, request_id, key_id, tier, context, route, action, policy, pillar, topic, level, score, stage, monitoring, detail, prev_hash } = row;
  const body = { seq, ts, request_id, key_id, tier, context, route, action, policy, pillar, topic, level, score, stage, monitoring, detail, prev_hash };
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

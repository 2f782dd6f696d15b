import type { Db } from './db.js';

/**
 * Reads of the gateway's audit log (`gateway_audit`) for other features (review tasks from
 * appeals and traffic samples). The log's writer and verifier stay in gateway/audit.ts; these are
 * the decision columns and the JSON detail of rows, and an empty answer when the gateway never
 * ran against this store.
 */
/** A `gateway_audit` row: the decision, its JSON detail, and its place in the hash chain. */
export interface AuditRow {
  seq: number;
  ts: string;
  request_id: string;
  key_id: string | null;
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
  monitoring: string;
  /** JSON: the entry's detail (prompt only under full monitoring). */
  detail: string;
  prev_hash: string;
  hash: string;
}

/** The decision columns other features read. */
export type AuditDecisionRow = Pick<AuditRow, 'request_id' | 'action' | 'policy' | 'pillar' | 'topic' | 'level' | 'score' | 'stage' | 'detail'>;

export interface AuditReader {
  /** The first audited decision of a request, or null. */
  byRequest(requestId: string): AuditDecisionRow | null;
  /** Rows recorded under full monitoring (prompts captured), in log order. */
  fullMonitoring(): AuditDecisionRow[];
  /** The newest rows, newest first. */
  recent(limit: number): AuditRow[];
}

const COLS = 'request_id, action, policy, pillar, topic, level, score, stage, detail';

export function createAuditReader(db: Db): AuditReader {
  const hasTable = (): boolean => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'gateway_audit'").get() !== undefined;
  return {
    byRequest(requestId) {
      if (!hasTable()) return null;
      return (db.prepare(`SELECT ${COLS} FROM gateway_audit WHERE request_id = ? ORDER BY seq LIMIT 1`).get(requestId) as AuditDecisionRow | undefined) ?? null;
    },
    fullMonitoring() {
      if (!hasTable()) return [];
      return db.prepare(`SELECT ${COLS} FROM gateway_audit WHERE monitoring = 'full' ORDER BY seq`).all() as AuditDecisionRow[];
    },
    recent(limit) {
      if (!hasTable()) return [];
      return db.prepare('SELECT * FROM gateway_audit ORDER BY seq DESC LIMIT ?').all(limit) as AuditRow[];
    },
  };
}

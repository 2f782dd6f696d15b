import type { Db } from './db.js';

/** The probes repository: perplexity and sparse-probe results by target and model version (table from migration 500). */

export interface ProbeRecord {
  id: number;
  kind: 'perplexity' | 'sparse';
  target: string;
  version: string;
  domain: string;
  value: number;
  n: number;
  detail: Record<string, unknown>;
  createdAt: string;
}

export interface RawProbe {
  id: number;
  kind: 'perplexity' | 'sparse';
  target: string;
  version: string;
  domain: string;
  value: number;
  n: number;
  detail: string;
  created_at: string;
}

type MaybePromise<T> = T | Promise<T>;

/**
 * The probes repository. Callers `await` every call: the SQLite store answers synchronously
 * (`createProbeStore`), the PostgreSQL one (`store/pg/probes.ts`) with promises.
 */
export interface ProbeStore {
  add(r: Omit<ProbeRecord, 'id' | 'createdAt'>): MaybePromise<ProbeRecord>;
  /** The latest result of each version for a kind and domain, oldest version first. */
  latestByVersion(kind: ProbeRecord['kind'], domain: string): MaybePromise<ProbeRecord[]>;
}

/** The SQLite probes store: the same calls, answered synchronously. */
export interface SqliteProbeStore extends ProbeStore {
  add(r: Omit<ProbeRecord, 'id' | 'createdAt'>): ProbeRecord;
  latestByVersion(kind: ProbeRecord['kind'], domain: string): ProbeRecord[];
}

export const toProbe = (r: RawProbe): ProbeRecord => ({ id: r.id, kind: r.kind, target: r.target, version: r.version, domain: r.domain, value: r.value, n: r.n, detail: JSON.parse(r.detail) as Record<string, unknown>, createdAt: r.created_at });

export function createProbeStore(db: Db, opts: { now?: () => Date } = {}): SqliteProbeStore {
  const now = (): string => (opts.now ? opts.now() : new Date()).toISOString();
  const toRec = toProbe;
  return {
    add(r: Omit<ProbeRecord, 'id' | 'createdAt'>): ProbeRecord {
      const info = db
        .prepare('INSERT INTO probe_results (kind, target, version, domain, value, n, detail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(r.kind, r.target, r.version, r.domain, r.value, r.n, JSON.stringify(r.detail), now());
      return toRec(db.prepare('SELECT * FROM probe_results WHERE id = ?').get(Number(info.lastInsertRowid)) as RawProbe);
    },
    /** The latest result of each version for a kind and domain, oldest version first. */
    latestByVersion(kind: ProbeRecord['kind'], domain: string): ProbeRecord[] {
      const rows = db
        .prepare(
          `SELECT p.* FROM probe_results p JOIN (SELECT version, MAX(id) AS id FROM probe_results WHERE kind = ? AND domain = ? GROUP BY version) m ON m.id = p.id ORDER BY p.id`,
        )
        .all(kind, domain) as RawProbe[];
      return rows.map(toRec);
    },
  };
}

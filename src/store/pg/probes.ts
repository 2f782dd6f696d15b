import { toProbe, type ProbeRecord, type ProbeStore, type RawProbe } from '../probes.js';
import type { Sql } from './connect.js';

/** Probe results on PostgreSQL: the same `ProbeStore` as SQLite's, the same rows. */
export class PgProbeStore implements ProbeStore {
  constructor(
    readonly sql: Sql,
    private readonly opts: { now?: () => Date } = {},
  ) {}

  async add(r: Omit<ProbeRecord, 'id' | 'createdAt'>): Promise<ProbeRecord> {
    const createdAt = (this.opts.now ? this.opts.now() : new Date()).toISOString();
    const [row] = await this.sql<RawProbe[]>`INSERT INTO probe_results (kind, target, version, domain, value, n, detail, created_at)
      VALUES (${r.kind}, ${r.target}, ${r.version}, ${r.domain}, ${r.value}, ${r.n}, ${JSON.stringify(r.detail)}, ${createdAt}) RETURNING *`;
    return toProbe(row!);
  }

  async latestByVersion(kind: ProbeRecord['kind'], domain: string): Promise<ProbeRecord[]> {
    const rows = await this.sql<RawProbe[]>`SELECT p.* FROM probe_results p
      JOIN (SELECT version, MAX(id) AS id FROM probe_results WHERE kind = ${kind} AND domain = ${domain} GROUP BY version) m ON m.id = p.id ORDER BY p.id`;
    return rows.map(toProbe);
  }
}

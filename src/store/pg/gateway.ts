import { randomBytes } from 'node:crypto';
import type postgres from 'postgres';
import type { Awaitable } from '../../core/maybe.js';
import type { ApprovalStore, ToolApproval } from '../approvals.js';
import { approvalRowToRecord, newApprovalId, approvalDecisionError, type ApprovalRow } from '../approvals.js';
import type { AuditRow } from '../audit-read.js';
import type { AuditHead, AuditStore, CheckpointRow } from '../audit-log.js';
import type { KeyRow, KeysRepository } from '../keys.js';
import type { Sql } from './connect.js';

/**
 * The gateway's repositories on PostgreSQL: keys, the audit chain and tool approvals. Every
 * gateway instance on the store reads keys from the database on each lookup (one indexed SELECT),
 * so a revocation made anywhere is refused everywhere from the next request on. Audit appends
 * and checkpoints take a transaction-scoped advisory lock, so instances on many machines still
 * write one chain and one list of checkpoints.
 */

/** Advisory lock ids (per schema, so stores sharing a database do not wait on each other). */
const lockId = (name: string) => (tx: postgres.TransactionSql) => tx`SELECT pg_advisory_xact_lock(hashtext(current_schema() || ${`.${name}`}))`;
const lockAudit = lockId('gateway_audit');
const lockCheckpoints = lockId('gateway_audit_checkpoints');

export function createPgKeysRepository(sql: Sql): Awaitable<KeysRepository> {
  return {
    async pepper() {
      const get = async (): Promise<string | undefined> => (await sql<{ value: string }[]>`SELECT value FROM gateway_secrets WHERE name = 'key_pepper'`)[0]?.value;
      let v = await get();
      if (!v) {
        await sql`INSERT INTO gateway_secrets (name, value) VALUES ('key_pepper', ${randomBytes(32).toString('base64')}) ON CONFLICT (name) DO NOTHING`;
        v = (await get())!;
      }
      return Buffer.from(v, 'base64');
    },
    async insert(r) {
      await sql`INSERT INTO gateway_keys (id, name, tier, hash, hint, created_at) VALUES (${r.id}, ${r.name}, ${r.tier}, ${r.hash}, ${r.hint}, ${r.created_at})`;
    },
    byHash: async (hash) => (await sql<KeyRow[]>`SELECT * FROM gateway_keys WHERE hash = ${hash}`)[0] ?? null,
    byId: async (id) => (await sql<KeyRow[]>`SELECT * FROM gateway_keys WHERE id = ${id}`)[0] ?? null,
    list: async () => [...(await sql<KeyRow[]>`SELECT * FROM gateway_keys ORDER BY created_at, id`)],
    async revoke(id, at) {
      await sql`UPDATE gateway_keys SET revoked_at = ${at} WHERE id = ${id} AND revoked_at IS NULL`;
    },
  };
}

export function createPgApprovalStore(sql: Sql, opts: { now?: () => Date } = {}): Awaitable<ApprovalStore> {
  const now = opts.now ?? (() => new Date());
  const get = async (id: string): Promise<ToolApproval | null> => {
    const r = (await sql<ApprovalRow[]>`SELECT * FROM gateway_tool_approvals WHERE id = ${id}`)[0];
    return r ? approvalRowToRecord(r) : null;
  };
  return {
    async add(input) {
      const id = newApprovalId();
      await sql`INSERT INTO gateway_tool_approvals (id, created_at, request_id, key_id, tier, tool, arguments, reason)
        VALUES (${id}, ${now().toISOString()}, ${input.requestId}, ${input.keyId}, ${input.tier}, ${input.tool}, ${input.arguments}, ${input.reason})`;
      return (await get(id))!;
    },
    get,
    async list({ limit = 100 } = {}) {
      const pending = await sql<ApprovalRow[]>`SELECT * FROM gateway_tool_approvals WHERE status = 'pending' ORDER BY created_at, id`;
      const done = await sql<ApprovalRow[]>`SELECT * FROM gateway_tool_approvals WHERE status != 'pending' ORDER BY coalesce(decided_at, created_at) DESC, id LIMIT ${limit}`;
      return [...pending, ...done].map(approvalRowToRecord);
    },
    async decide(id, { approve, reviewer, note }) {
      const r = await sql`UPDATE gateway_tool_approvals SET status = ${approve ? 'approved' : 'denied'}, reviewer = ${reviewer}, decided_at = ${now().toISOString()}, note = ${note ?? null}
        WHERE id = ${id} AND status = 'pending'`;
      const a = await get(id);
      const err = approvalDecisionError(id, a, r.count);
      if (err) throw err;
      return a!;
    },
    async close(id, status) {
      await sql`UPDATE gateway_tool_approvals SET status = ${status}, decided_at = ${now().toISOString()} WHERE id = ${id} AND status = 'pending'`;
      return get(id);
    },
  };
}

const AUDIT_COLS = ['seq', 'ts', 'request_id', 'key_id', 'tier', 'context', 'route', 'action', 'policy', 'pillar', 'topic', 'level', 'score', 'stage', 'monitoring', 'detail', 'prev_hash', 'hash'] as const;

export function createPgAuditStore(sql: Sql, read: Sql | postgres.TransactionSql = sql): AuditStore {
  return {
    backend: 'postgres',
    async append(build) {
      return sql.begin(async (tx) => {
        await lockAudit(tx);
        const head = (await tx<AuditHead[]>`SELECT seq, hash FROM gateway_audit_head WHERE id = 1`)[0] ?? null;
        const rows = build(head);
        const last = rows.at(-1);
        if (!last) return head ?? { seq: 0, hash: '' };
        // postgres.js sends at most 65,534 parameters per statement: 18 columns, so 3,000 rows at a time.
        for (let i = 0; i < rows.length; i += 3000) await tx`INSERT INTO gateway_audit ${tx(rows.slice(i, i + 3000), ...AUDIT_COLS)}`;
        await tx`INSERT INTO gateway_audit_head (id, seq, hash, updated_at) VALUES (1, ${last.seq}, ${last.hash}, ${new Date().toISOString()})
          ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, updated_at = excluded.updated_at`;
        return { seq: last.seq, hash: last.hash };
      });
    },
    head: async () => (await read<AuditHead[]>`SELECT seq, hash FROM gateway_audit_head WHERE id = 1`)[0] ?? null,
    async *rows({ since, fromSeq, toSeq } = {}) {
      const cursor = read<AuditRow[]>`SELECT * FROM gateway_audit
        WHERE (${since ?? null}::text IS NULL OR ts >= ${since ?? null}) AND seq >= ${fromSeq ?? 0} AND seq <= ${toSeq ?? Number.MAX_SAFE_INTEGER}
        ORDER BY seq`.cursor(1000);
      for await (const batch of cursor) yield* batch;
    },
    hashAt: async (seq) => (await read<{ hash: string }[]>`SELECT hash FROM gateway_audit WHERE seq = ${seq}`)[0]?.hash ?? null,
    checkpoints: async () => [...(await read<CheckpointRow[]>`SELECT * FROM gateway_audit_checkpoints ORDER BY id`)],
    async addCheckpoint(build) {
      return sql.begin(async (tx) => {
        await lockCheckpoints(tx);
        const c = build((await tx<CheckpointRow[]>`SELECT * FROM gateway_audit_checkpoints ORDER BY id DESC LIMIT 1`)[0] ?? null);
        if (!c) return null;
        const [row] = await tx<{ id: number }[]>`INSERT INTO gateway_audit_checkpoints (seq, hash, ts, key_id, public_key, prev, signature)
          VALUES (${c.seq}, ${c.hash}, ${c.ts}, ${c.key_id}, ${c.public_key}, ${c.prev}, ${c.signature}) RETURNING id`;
        return { id: row!.id, ...c };
      });
    },
    snapshot: <T>(fn: (s: AuditStore) => Promise<T>) => sql.begin('isolation level repeatable read read only', (tx) => fn(createPgAuditStore(sql, tx))) as unknown as Promise<T>,
    async ping() {
      await read`SELECT 1`;
    },
  };
}

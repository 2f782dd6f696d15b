import { randomBytes } from 'node:crypto';
import { UserError } from '../core/errors.js';
import type { Db } from './db.js';

/**
 * Tool calls held for a human: the gateway adds one `pending` row and waits; a reviewer approves
 * or denies it in the review app; the gateway then forwards the answer or refuses it. A call
 * nobody decides in time is `expired`; one whose client left is `abandoned`.
 */

export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'abandoned';

export interface ToolApproval {
  id: string;
  createdAt: string;
  requestId: string;
  keyId: string | null;
  tier: string;
  tool: string;
  /** The call's arguments (PII redacted by the gateway). */
  arguments: string;
  /** Why it is held (the rule that matched). */
  reason: string;
  status: ApprovalStatus;
  reviewer: string | null;
  decidedAt: string | null;
  note: string | null;
}

/** A `gateway_tool_approvals` row (both backends). */
export interface ApprovalRow {
  id: string;
  created_at: string;
  request_id: string;
  key_id: string | null;
  tier: string;
  tool: string;
  arguments: string;
  reason: string;
  status: ApprovalStatus;
  reviewer: string | null;
  decided_at: string | null;
  note: string | null;
}

export const approvalRowToRecord = (r: ApprovalRow): ToolApproval => ({
  id: r.id,
  createdAt: r.created_at,
  requestId: r.request_id,
  keyId: r.key_id,
  tier: r.tier,
  tool: r.tool,
  arguments: r.arguments,
  reason: r.reason,
  status: r.status,
  reviewer: r.reviewer,
  decidedAt: r.decided_at,
  note: r.note,
});

export const newApprovalId = (): string => `appr_${randomBytes(8).toString('hex')}`;

/** Why a decision did not apply (`changed`: rows the conditional UPDATE changed), or null. */
export function approvalDecisionError(id: string, a: ToolApproval | null, changed: number): UserError | null {
  if (!a) return new UserError(`no held tool call with id "${id}"`, { code: 'not_found' });
  if (changed === 0) return new UserError(`tool call ${id} is already ${a.status}${a.reviewer ? ` (by ${a.reviewer})` : ''}`, { code: 'usage', exitCode: 1 });
  return null;
}

/** Held tool calls (SQLite answers synchronously; `Awaitable<ApprovalStore>` is either backend). */
export interface ApprovalStore {
  add(input: { requestId: string; keyId: string | null; tier: string; tool: string; arguments: string; reason: string }): ToolApproval;
  get(id: string): ToolApproval | null;
  /** Pending first (oldest first), then the most recent decided ones. */
  list(opts?: { limit?: number }): ToolApproval[];
  /** A reviewer's decision on a pending call (a decided call cannot be decided again). */
  decide(id: string, input: { approve: boolean; reviewer: string; note?: string }): ToolApproval;
  /** The gateway stops waiting: a still-pending call becomes `expired` or `abandoned`. */
  close(id: string, status: 'expired' | 'abandoned'): ToolApproval | null;
}

export function createApprovalStore(db: Db, opts: { now?: () => Date } = {}): ApprovalStore {
  const now = opts.now ?? (() => new Date());
  const byId = db.prepare('SELECT * FROM gateway_tool_approvals WHERE id = ?');
  const get = (id: string): ToolApproval | null => {
    const r = byId.get(id) as ApprovalRow | undefined;
    return r ? approvalRowToRecord(r) : null;
  };
  return {
    add(input) {
      const id = newApprovalId();
      db.prepare('INSERT INTO gateway_tool_approvals (id, created_at, request_id, key_id, tier, tool, arguments, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        id,
        now().toISOString(),
        input.requestId,
        input.keyId,
        input.tier,
        input.tool,
        input.arguments,
        input.reason,
      );
      return get(id)!;
    },
    get,
    list({ limit = 100 } = {}) {
      const pending = db.prepare("SELECT * FROM gateway_tool_approvals WHERE status = 'pending' ORDER BY created_at, id").all() as ApprovalRow[];
      const done = db.prepare("SELECT * FROM gateway_tool_approvals WHERE status != 'pending' ORDER BY coalesce(decided_at, created_at) DESC, id LIMIT ?").all(limit) as ApprovalRow[];
      return [...pending, ...done].map(approvalRowToRecord);
    },
    decide(id, { approve, reviewer, note }) {
      const r = db.prepare("UPDATE gateway_tool_approvals SET status = ?, reviewer = ?, decided_at = ?, note = ? WHERE id = ? AND status = 'pending'").run(approve ? 'approved' : 'denied', reviewer, now().toISOString(), note ?? null, id);
      const a = get(id);
      const err = approvalDecisionError(id, a, r.changes);
      if (err) throw err;
      return a!;
    },
    close(id, status) {
      db.prepare("UPDATE gateway_tool_approvals SET status = ?, decided_at = ? WHERE id = ? AND status = 'pending'").run(status, now().toISOString(), id);
      return get(id);
    },
  };
}

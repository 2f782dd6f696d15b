import type { ServerResponse } from 'node:http';
import type { Awaitable } from '../../core/maybe.js';
import type { Db } from '../../store/db.js';
import { createApprovalStore, type ApprovalStore, type ToolApproval } from '../../store/approvals.js';
import { AccessError } from '../flow.js';
import { html, type Raw } from './html.js';
import { redirect, sendJson } from './http.js';

/**
 * Held tool calls in the review app (`gateway.tools` rules with `action: approve`): the gateway
 * waits while a reviewer or admin approves or denies each call here.
 *
 *   GET  /approvals               the page: pending calls first, then recent decisions
 *   POST /approvals/:id           form field `decision` = approve | deny (and an optional note)
 *   GET  /api/approvals           the same list as JSON
 *   POST /api/approvals/:id       {"decision": "approve" | "deny", "note": "..."}
 */

export interface ApprovalRoute {
  /** SQLite; or `approvals`, a store of either backend. */
  db?: Db | null;
  approvals?: Awaitable<ApprovalStore>;
  base: string;
  path: string;
  method: string;
  api: boolean;
  user: { name: string; role: string };
  csrf: string;
  fields: Record<string, unknown>;
  res: ServerResponse;
  page(title: string, body: Raw): void;
}

const STAFF = ['admin', 'reviewer'];

/** Handle the request when it is one of the approvals routes; false otherwise (AccessError for non-staff). */
export async function approvalRoutes(r: ApprovalRoute): Promise<boolean> {
  const m = /^(\/api)?\/approvals(?:\/(appr_[0-9a-f]{16}))?$/.exec(r.path);
  if (!m) return false;
  if (!STAFF.includes(r.user.role)) throw new AccessError(`${r.user.role}s cannot decide held tool calls`);
  const store: Awaitable<ApprovalStore> = r.approvals ?? createApprovalStore(r.db!);
  const id = m[2];
  if (r.method === 'GET' && !id) {
    const list = await store.list();
    if (r.api) sendJson(r.res, 200, list);
    else r.page('Tool approvals', approvalsPage(r.base, r.csrf, list));
    return true;
  }
  if (r.method === 'POST' && id) {
    const decision = String(r.fields.decision ?? '');
    if (decision !== 'approve' && decision !== 'deny') {
      sendJson(r.res, 400, { error: { status: 400, message: 'decision must be "approve" or "deny"' } });
      return true;
    }
    const note = typeof r.fields.note === 'string' && r.fields.note.trim() ? r.fields.note.trim().slice(0, 1000) : undefined;
    const a = await store.decide(id, { approve: decision === 'approve', reviewer: r.user.name, note });
    if (r.api) sendJson(r.res, 200, a);
    else redirect(r.res, `${r.base}/approvals`);
    return true;
  }
  return false;
}

function approvalsPage(base: string, csrf: string, list: ToolApproval[]): Raw {
  const pending = list.filter((a) => a.status === 'pending');
  const done = list.filter((a) => a.status !== 'pending');
  const row = (a: ToolApproval): Raw =>
    html`<tr data-approval="${a.id}"><td><code>${a.tool}</code></td><td><pre class="args">${a.arguments}</pre></td><td>${a.tier}${a.keyId ? html`<br><span class="muted">${a.keyId}</span>` : ''}</td><td class="muted">${a.reason}</td><td>${a.createdAt}</td><td>${
      a.status === 'pending'
        ? html`<form method="post" action="${base}/approvals/${a.id}" class="inline"><input type="hidden" name="_csrf" value="${csrf}"><input name="note" placeholder="note (optional)" aria-label="note"> <button name="decision" value="approve" type="submit">Approve</button> <button name="decision" value="deny" type="submit" class="secondary">Deny</button></form>`
        : html`<span class="badge">${a.status}</span>${a.reviewer ? html` by ${a.reviewer}` : ''}${a.note ? html`<br><span class="muted">${a.note}</span>` : ''}`
    }</td></tr>`;
  const table = (rows: ToolApproval[], id: string): Raw =>
    html`<table id="${id}"><thead><tr><th>Tool</th><th>Arguments</th><th>Caller</th><th>Rule</th><th>Held since</th><th>Decision</th></tr></thead><tbody>${rows.map(row)}</tbody></table>`;
  return html`<h1>Tool approvals</h1>
<p class="muted">Tool calls an agent made that a <code>gateway.tools</code> rule holds for a person. The gateway waits for a decision (until <code>gateway.tools.approval.timeoutMs</code>); reload to see new ones.</p>
<h2>Waiting (${pending.length})</h2>
${pending.length ? table(pending, 'pending-approvals') : html`<p id="pending-approvals" class="muted">Nothing is waiting.</p>`}
<h2>Decided</h2>
${done.length ? table(done, 'decided-approvals') : html`<p class="muted">None yet.</p>`}`;
}

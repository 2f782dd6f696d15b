import type { QueueProgress, ReviewQueue, ReviewTask, ReviewUser, VerdictRecord } from '../../store/review.js';
import { verdictOptions } from '../verdicts.js';
import { html, progressBar, type Raw } from './html.js';

/** Pages where people work: sign-in, the queue list, one queue, one task. */

export function loginPage(p: { base: string; csrf: string; error?: string; next?: string }): Raw {
  return html`<div class="login card"><h1>Sign in</h1>
${p.error ? html`<div class="error" role="alert">${p.error}</div>` : ''}
<form method="post" action="${p.base}/login">
<input type="hidden" name="_csrf" value="${p.csrf}"><input type="hidden" name="next" value="${p.next ?? ''}">
<label for="name">Name</label><input id="name" name="name" type="text" autocomplete="username" autofocus required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<p><button type="submit">Sign in</button></p></form></div>`;
}

export function queuesPage(p: { base: string; queues: { q: ReviewQueue; progress: QueueProgress }[] }): Raw {
  return html`<h1>Review queues</h1>
${
  p.queues.length === 0
    ? html`<p class="muted">No queues you can see. Create one with <code>pillars review create</code>, or ask an admin to assign you.</p>`
    : html`<table><thead><tr><th>Queue</th><th>Kind</th><th class="num">Tasks</th><th>Complete</th><th>Yours</th><th></th></tr></thead><tbody>
${p.queues.map(
  ({ q, progress }) => html`<tr data-queue="${q.id}"><td><a href="${p.base}/queues/${q.id}">${q.name}</a></td><td><span class="badge">${q.kind}</span>${q.doubleShare > 0 ? html`<span class="badge warn">double ${Math.round(q.doubleShare * 100)}%</span>` : ''}</td>
<td class="num">${progress.tasks}</td><td>${progressBar(progress.complete, progress.tasks, `${progress.complete} / ${progress.tasks}`)}</td><td>${progress.mine} done, ${progress.open} open</td>
<td>${progress.open > 0 ? html`<a class="button" href="${p.base}/queues/${q.id}/next">Start</a>` : html`<span class="muted">nothing left for you</span>`}</td></tr>`,
)}</tbody></table>`
}`;
}

export function queuePage(p: { base: string; q: ReviewQueue; progress: QueueProgress; tasks: { t: ReviewTask; reviews: VerdictRecord[] }[]; user: ReviewUser; agreement?: Raw; held?: boolean }): Raw {
  return html`<h1>${p.q.name} <span class="badge">${p.q.kind}</span></h1>
<div class="card">${progressBar(p.progress.complete, p.progress.tasks, `${p.progress.complete} of ${p.progress.tasks} tasks complete · you: ${p.progress.mine} done, ${p.progress.open} open`)}
${p.held && p.progress.open > 0 ? html`<p class="muted" id="held" role="status">The tasks left for you are with other reviewers right now (each is handed to one reviewer at a time): try again in a few minutes.</p>` : ''}
<p>${p.progress.open > 0 ? html`<a class="button" id="start" href="${p.base}/queues/${p.q.id}/next">Review next (${p.progress.open} open)</a>` : html`<span class="muted">Nothing left for you in this queue.</span>`}</p></div>
${p.agreement ?? ''}
<h2>Tasks</h2>
<table><thead><tr><th>#</th><th>Task</th><th>Policy</th><th>Reviews</th><th>Verdicts</th></tr></thead><tbody>
${p.tasks.map(
  ({ t, reviews }) => html`<tr><td>${t.pos + 1}</td><td><a href="${p.base}/tasks/${t.id}">${t.payload.title}</a>${t.payload.note ? html` <span class="badge warn">${t.payload.note}</span>` : ''}</td>
<td>${t.payload.policy ?? '–'}${t.payload.level !== null && t.payload.level !== undefined ? ` · L${t.payload.level}` : ''}</td>
<td>${new Set(reviews.map((r) => r.userId)).size} / ${t.requiredReviews}</td>
<td>${reviews.map((r) => html`<span class="badge${r.userId === p.user.id ? ' good' : ''}">${r.reviewer}: ${r.verdict ?? (r.ranking ? r.ranking.join('>') : '')}</span>`)}</td></tr>`,
)}</tbody></table>`;
}

function conversation(t: ReviewTask): Raw {
  const msgs = t.payload.conversation.map((m) => html`<div class="msg ${m.role}"><span class="role">${m.role}</span>${m.content}</div>`);
  return html`${msgs}`;
}

export interface TaskPageInput {
  base: string;
  csrf: string;
  task: ReviewTask;
  queue: ReviewQueue;
  progress: QueueProgress;
  mine: VerdictRecord | null;
  reviews: VerdictRecord[];
  prevId: number | null;
  nextId: number | null;
  policyText?: { title: string; disallowed: string; allowed: string; action?: string } | null;
  canDecide: boolean;
  error?: string;
}

/**
 * A refusal written by a guard names the policy it applied, e.g. "… (governance.copyright)". When
 * that is not the item's policy, say so: the reviewer sees why a privacy item got a copyright text.
 */
function citedPolicyNote(response: string, policy: string | null | undefined): Raw | string {
  if (!policy) return '';
  const cited = [...response.matchAll(/\(([a-z_]+\.[a-z0-9_]+)\)/g)].map((m) => m[1]!).filter((id) => id !== policy);
  if (cited.length === 0) return '';
  return html`<p class="muted" id="cited-policy">The answer cites policy <code>${cited[0]!}</code>, not this item's <code>${policy}</code>: the system under test placed the prompt under another policy.</p>`;
}

/** The item's expected behaviour (comply, refuse, deflect …) against the ladder's action (allow, refuse, deflect, redact). */
function actionDiffers(expected: string | null | undefined, action: string): boolean {
  if (!expected) return false;
  const asExpected: Record<string, string> = { allow: 'comply', refuse: 'refuse', deflect: 'deflect', redact: 'redact' };
  return (asExpected[action] ?? action) !== expected;
}

export function taskPage(p: TaskPageInput): Raw {
  const t = p.task;
  const pl = t.payload;
  const options = verdictOptions(t.kind);
  const nav = html`<p class="keys">
${p.prevId !== null ? html`<a id="prev-task" href="${p.base}/tasks/${p.prevId}">← previous</a> ` : ''}
${p.nextId !== null ? html`<a id="next-task" href="${p.base}/tasks/${p.nextId}">next →</a> ` : ''}
· <kbd>j</kbd>/<kbd>n</kbd> next <kbd>k</kbd> previous ${t.kind === 'preference' ? html`<kbd>1</kbd>-<kbd>${pl.responses?.length ?? 0}</kbd> rank best first <kbd>⌫</kbd> unrank <kbd>Enter</kbd> submit` : html`${options.map((o) => html`<kbd>${o.key}</kbd> ${o.value} `)}`} <kbd>u</kbd> undo your last verdict <kbd>?</kbd> help</p>`;
  const decideForm =
    t.kind === 'preference'
      ? html`<form id="rank-form" method="post" action="${p.base}/tasks/${t.id}/verdict"><input type="hidden" name="_csrf" value="${p.csrf}">
<label for="ranking">Ranking, best first (press the numbers)</label><input id="ranking" name="ranking" type="text" inputmode="numeric" placeholder="e.g. 2,1,3" value="${p.mine?.ranking?.join(',') ?? ''}">
<p id="rank-status" class="muted"></p><button type="submit">Submit ranking</button></form>`
      : html`<form id="verdict-form" method="post" action="${p.base}/tasks/${t.id}/verdict"><input type="hidden" name="_csrf" value="${p.csrf}">
${options.map((o) => html`<button type="submit" name="verdict" value="${o.value}" data-key="${o.key}" title="${o.hint}" class="${p.mine?.verdict === o.value ? 'mine' : ''}"><kbd>${o.key}</kbd>${o.label}</button>`)}</form>`;
  const main =
    t.kind === 'preference'
      ? html`<h3>Prompt</h3>${conversation(t)}<h3>Responses: rank for helpfulness and policy adherence</h3><div class="responses">${(pl.responses ?? []).map(
          (r, i) => html`<div class="msg assistant" data-index="${i + 1}"><span class="role">response ${i + 1}</span><span class="rank"></span>${r}</div>`,
        )}</div>`
      : t.kind === 'frontier'
        ? html`<h3>Evidence</h3><pre>${JSON.stringify(pl.evidence ?? {}, null, 2)}</pre>`
        : html`<h3>Conversation</h3>${conversation(t)}${pl.response !== undefined ? html`<div class="msg assistant"><span class="role">assistant (under review)</span>${pl.response || '(empty)'}</div>${citedPolicyNote(pl.response, pl.policy)}` : ''}`;
  return html`<h1>${pl.title} <span class="badge">${t.kind}</span></h1>
${progressBar(p.progress.mine, p.progress.tasks, `${p.queue.name}: you ${p.progress.mine} / ${p.progress.tasks} · queue complete ${p.progress.complete} / ${p.progress.tasks}`)}
${nav}
${p.error ? html`<div class="error" role="alert">${p.error}</div>` : ''}
<div class="task"><section>${main}</section>
<aside><div class="card"><dl class="meta">
<dt>Policy</dt><dd>${pl.policy ?? '–'}</dd><dt>Level</dt><dd>${pl.level ?? '–'}</dd>
${pl.topic ? html`<dt>Topic</dt><dd>${pl.topic}</dd>` : ''}${pl.expected ? html`<dt>Expected</dt><dd id="expected">${pl.expected} <span class="muted">(the item's label: judge the answer against it)</span></dd>` : ''}${pl.itemKind ? html`<dt>Item</dt><dd>${pl.itemKind}</dd>` : ''}
${pl.decision ? html`<dt>Guard</dt><dd><span class="badge bad">${pl.decision.action}</span> ${pl.decision.requestId ?? ''}</dd>` : ''}
${pl.note ? html`<dt>Note</dt><dd>${pl.note}</dd>` : ''}
<dt>Reviews</dt><dd>${new Set(p.reviews.map((r) => r.userId)).size} / ${t.requiredReviews}${t.requiredReviews > 1 ? html` <span class="badge warn">double review</span>` : ''}</dd></dl>
${p.policyText ? html`<h3>${p.policyText.title}</h3><p><b>Disallowed:</b> ${p.policyText.disallowed}</p><p><b>Allowed:</b> ${p.policyText.allowed}</p>${p.policyText.action ? html`<p id="pack-action"><b>The pack's action at level ${pl.level ?? '–'}</b> (what the guard does for public callers): ${p.policyText.action}${actionDiffers(pl.expected, p.policyText.action) ? html` <span class="badge warn">differs from the expected ${pl.expected}</span>` : ''}</p>` : ''}` : ''}
</div>
<div class="card verdicts"><h3>Your verdict${p.mine ? html` <span class="badge good" id="my-verdict">${p.mine.verdict ?? p.mine.ranking?.join(' > ')}</span>` : ''}</h3>
${p.canDecide ? decideForm : html`<p class="muted">Only experts and admins sign off frontier cases.</p>`}
<form id="undo-form" method="post" action="${p.base}/queues/${p.queue.id}/undo"><input type="hidden" name="_csrf" value="${p.csrf}"><button type="submit" class="secondary">Undo my last verdict (u)</button></form></div>
<div class="card"><h3>Judges</h3>${pl.judges.length === 0 ? html`<p class="muted">No judge verdicts.</p>` : ''}
${pl.judges.map(
  (j) => html`<div class="judge" data-judge="${j.judge}"><b>${j.judge}</b> <span class="badge${j.label === 'violation' || j.label === 'complied' ? ' bad' : ''}">${j.label}</span> <span class="muted">${j.score.toFixed(2)}</span>${j.unsure ? html` <span class="badge warn">unsure</span>` : ''}
<ul>${j.reasons.map((r) => html`<li>${r}</li>`)}</ul></div>`,
)}</div></aside></div>
<div id="help" class="card" role="dialog" aria-label="Keyboard shortcuts" hidden><h3>Keyboard</h3><ul>
${t.kind === 'preference' ? html`<li><kbd>1</kbd>-<kbd>${pl.responses?.length ?? 0}</kbd> rank the responses, best first · <kbd>⌫</kbd> take the last one back · <kbd>Enter</kbd> submit</li>` : options.map((o) => html`<li><kbd>${o.key}</kbd> ${o.label}: ${o.hint}</li>`)}
<li><kbd>j</kbd> or <kbd>n</kbd> next task · <kbd>k</kbd> or <kbd>p</kbd> previous</li>
<li><kbd>u</kbd> undo your last verdict in this queue</li>
<li><kbd>?</kbd> show or hide this help · <kbd>Esc</kbd> close it</li></ul></div>`;
}

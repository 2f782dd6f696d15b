import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isPillarsError } from '../../core/errors.js';
import type { Logger } from '../../core/types.js';
import type { PolicyPack } from '../../policy/schema.js';
import type { Db } from '../../store/db.js';
import { buildReport } from '../../eval/load-report.js';
import { createFrontierStore, type FrontierStore } from '../../store/frontier.js';
import type { OpenStore } from '../../store/open.js';
import { createPgApprovalStore, createPgAuditStore } from '../../store/pg/gateway.js';
import { PgReviewStore } from '../../store/pg/review.js';
import { createRunStore, type RunStore } from '../../store/runs.js';
import { createReviewStore, type PackSnapshot, type ReviewStore, type ReviewUser, type VerdictRecord } from '../../store/review.js';
import { queueAgreement } from '../agreement.js';
import { AccessError, canSeeQueue, submitVerdict, taskFor, undoLast, visibleQueues } from '../flow.js';
import { judgeAgreementIn } from '../judge-agreement.js';
import { approvalRoutes } from './approvals.js';
import { APP_CSS, APP_JS } from './assets.js';
import { authenticate, cookie, currentSession, LOGIN_COOKIE, parseCookies, safeEqual, SESSION_COOKIE, startSession, token, type Session } from './auth.js';
import { esc, html, layout, type Raw } from './html.js';
import { HttpStatus, readFields, redirect, securityHeaders, sendHtml, sendJson } from './http.js';
import { agreementTables, auditPage, auditPageOf, comparePage, dashboardPage, frontierPage, loadDashboard, policyPage, runPage } from './pages-dashboard.js';
import { loginPage, queuePage, queuesPage, taskPage } from './pages-review.js';

/**
 * The review web app: server-rendered pages on node:http, mounted under a path prefix (default
 * `/ui`). `handle(req, res)` returns false for paths that are not the app's, so it can sit in
 * front of another server (the gateway) or stand alone (`startReviewServer`).
 */

export interface ReviewAppOptions {
  /** A SQLite store: reviews, and the runs, audit log, frontier cases and approvals the dashboard shows. */
  db?: Db;
  /**
   * An open store of either backend (`openStore`). On PostgreSQL, reviewers, sessions, queues and
   * verdicts live there, so several instances of the app serve the same reviewers; pages whose
   * data is not on PostgreSQL yet (run metrics, audit log, frontier, approvals) say so.
   */
  store?: OpenStore;
  pack?: PolicyPack | null;
  /** Path prefix, default `/ui`. */
  basePath?: string;
  /** Add `Secure` to cookies (behind HTTPS). */
  secureCookies?: boolean;
  log?: Logger;
  now?: () => Date;
}

export interface ReviewApp {
  readonly base: string;
  readonly store: ReviewStore;
  /** Handle the request when its path is the app's; false otherwise (nothing written). */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

interface Req {
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  query: URLSearchParams;
  method: string;
  api: boolean;
}

const STAFF = ['admin', 'reviewer'];

export function createReviewApp(opts: ReviewAppOptions): ReviewApp {
  const base = (opts.basePath ?? '/ui').replace(/\/+$/, '');
  const now = opts.now ?? (() => new Date());
  const db: Db | null = opts.store ? opts.store.db : (opts.db ?? null);
  const sql = opts.store?.sql ?? null;
  let store: ReviewStore;
  if (db) store = createReviewStore(db, { now });
  else if (sql) store = new PgReviewStore(sql, { now });
  else throw new Error('createReviewApp needs `db` (SQLite) or `store` (openStore)');
  const runs: RunStore = opts.store?.runs ?? createRunStore(db!);
  const frontier: FrontierStore = opts.store?.frontier ?? createFrontierStore(db!);
  // The gateway's audit chain and held tool calls, on PostgreSQL (SQLite reads them through `db`).
  const pgAudit = !db && sql ? createPgAuditStore(sql) : null;
  const pgApprovals = !db && sql ? createPgApprovalStore(sql, { now }) : undefined;
  const pack = opts.pack ?? null;
  // SQLite snapshots at once (as before); PostgreSQL in the background, awaited by the policy page.
  const snapshotting = pack ? store.snapshotPack({ ...pack, examples: [], responses: [] }) : [];
  const snapshots: Promise<PackSnapshot[]> = Promise.resolve(snapshotting).catch((e: unknown) => {
    opts.log?.error({ err: (e as Error)?.message }, 'review app: the policy pack snapshot failed');
    return [];
  });
  const cookiePath = base || '/';
  // Failed sign-ins per name and per address in the last 15 minutes (this process only).
  const failures = new Map<string, number[]>();
  const WINDOW_MS = 15 * 60_000;
  const MAX_FAILURES = { name: 5, addr: 20 };
  const recentFailures = (key: string): number[] => {
    const t = now().getTime();
    const list = (failures.get(key) ?? []).filter((x) => t - x < WINDOW_MS);
    if (list.length) failures.set(key, list);
    else failures.delete(key);
    return list;
  };

  const page = (r: Req, s: Session | null, title: string, body: Raw, extra: { active?: string; status?: number; bodyAttrs?: Record<string, string | number> } = {}): void => {
    sendHtml(r.res, extra.status ?? 200, layout({ base, title, user: s?.user ?? null, csrf: s?.csrf, active: extra.active, body, bodyAttrs: extra.bodyAttrs }));
  };
  const fail = (r: Req, s: Session | null, status: number, message: string): void => {
    if (r.api) return sendJson(r.res, status, { error: { status, message } });
    page(r, s, String(status), html`<h1>${status === 403 ? 'Forbidden' : status === 404 ? 'Not found' : 'Error'}</h1><div class="error" role="alert">${message}</div>`, { status });
  };
  const requireRole = (s: Session, roles: string[]): void => {
    if (!roles.includes(s.user.role)) throw new AccessError(`${s.user.role}s cannot open this page`);
  };
  const queueRows = async (user: ReviewUser) => {
    const rows = [];
    for (const q of await visibleQueues(store, user)) rows.push({ q, progress: await store.progress(q.id, user.id) });
    return rows;
  };
  const policyFor = (policy: string | null | undefined, level: number | null | undefined) => {
    const p = pack?.policies.find((x) => x.id === policy);
    if (!p) return null;
    const action = level !== null && level !== undefined ? (p.levels as Record<string, string>)[String(level)] : undefined;
    return { title: `${p.id}: ${p.title}`, disallowed: p.boundary.disallowed, allowed: p.boundary.allowed, action };
  };

  async function route(r: Req): Promise<void> {
    const { res, path, method } = r;
    if (method === 'GET' && path === '/static/app.css') return void (res.writeHead(200, { 'content-type': 'text/css; charset=utf-8' }), res.end(APP_CSS));
    if (method === 'GET' && path === '/static/app.js') return void (res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }), res.end(APP_JS));

    // Cross-site POSTs are refused outright (SameSite cookies and CSRF tokens do the rest).
    const origin = r.req.headers.origin;
    if (method === 'POST' && origin && origin !== 'null') {
      let host = '';
      try {
        host = new URL(origin).host;
      } catch {
        /* unparsable origin: refused below */
      }
      if (host !== r.req.headers.host) return fail(r, null, 403, 'cross-origin request refused');
    }

    if (path === '/login') {
      if (method === 'GET') {
        const t = token();
        res.setHeader('set-cookie', cookie(LOGIN_COOKIE, t, { path: cookiePath, maxAge: 3600, secure: opts.secureCookies }));
        return page(r, null, 'Sign in', loginPage({ base, csrf: t, next: r.query.get('next') ?? '' }));
      }
      if (method === 'POST') {
        const f = await readFields(r.req);
        const expected = parseCookies(r.req)[LOGIN_COOKIE] ?? '';
        if (!safeEqual(String(f._csrf ?? ''), expected)) return fail(r, null, 403, 'invalid or missing CSRF token: reload the sign-in page');
        const keys = [`name:${String(f.name ?? '')}`, `addr:${r.req.socket.remoteAddress ?? '?'}`];
        if (recentFailures(keys[0]!).length >= MAX_FAILURES.name || recentFailures(keys[1]!).length >= MAX_FAILURES.addr) return fail(r, null, 429, 'too many failed sign-ins: wait 15 minutes');
        const user = await authenticate(store, String(f.name ?? ''), String(f.password ?? ''));
        if (!user) {
          for (const k of keys) failures.set(k, [...recentFailures(k), now().getTime()]);
          res.setHeader('set-cookie', cookie(LOGIN_COOKIE, expected, { path: cookiePath, maxAge: 3600, secure: opts.secureCookies }));
          return page(r, null, 'Sign in', loginPage({ base, csrf: expected, error: 'Wrong name or password.' }), { status: 401 });
        }
        failures.delete(keys[0]!);
        const sess = await startSession(store, user, now());
        const next = String(f.next ?? '');
        const to = next.startsWith(`${base}/`) && !next.startsWith('//') ? next : `${base}/${STAFF.includes(user.role) ? '' : 'queues'}`;
        return redirect(res, to, { 'set-cookie': [cookie(SESSION_COOKIE, sess.token, { path: cookiePath, maxAge: sess.maxAge, secure: opts.secureCookies }), cookie(LOGIN_COOKIE, '', { path: cookiePath, maxAge: 0 })] });
      }
    }

    const s = await currentSession(store, r.req);
    if (!s) {
      if (r.api) return fail(r, null, 401, 'sign in first');
      return redirect(res, `${base}/login${method === 'GET' ? `?next=${encodeURIComponent(base + path + (r.query.size ? `?${r.query}` : ''))}` : ''}`);
    }
    let fields: Record<string, unknown> = {};
    if (method === 'POST') {
      fields = await readFields(r.req);
      const sent = String(r.req.headers['x-csrf-token'] ?? fields._csrf ?? '');
      if (!safeEqual(sent, s.csrf)) return fail(r, s, 403, 'invalid or missing CSRF token');
    }
    const m = (re: RegExp): RegExpExecArray | null => re.exec(path);
    let g: RegExpExecArray | null;

    if (method === 'POST' && path === '/logout') {
      await store.deleteSession(s.tokenHash);
      return redirect(res, `${base}/login`, { 'set-cookie': cookie(SESSION_COOKIE, '', { path: cookiePath, maxAge: 0 }) });
    }
    if (method === 'GET' && path === '/') {
      if (!STAFF.includes(s.user.role)) return redirect(res, `${base}/queues`);
      const queues = await queueRows(s.user);
      return page(r, s, 'Dashboard', dashboardPage({ base, queues, data: await loadDashboard({ runs, frontier, db, audit: pgAudit }) }), { active: 'dashboard' });
    }
    if (method === 'GET' && (g = m(/^\/runs\/([\w.-]+)$/))) {
      requireRole(s, STAFF);
      const ja = await judgeAgreementIn({ runs, review: store }, g[1]!);
      const report = await buildReport(runs, ja.runId, { items: 'none' });
      return page(r, s, `Run ${g[1]}`, runPage({ base, report, judges: ja.judges }), { active: 'dashboard' });
    }
    if (method === 'GET' && path === '/compare') {
      requireRole(s, STAFF);
      const a = r.query.get('a');
      const b = r.query.get('b');
      if (!a || !b) throw new HttpStatus(400, 'pick two runs (a and b)');
      return page(r, s, 'Compare', comparePage({ base, a: await buildReport(runs, a), b: await buildReport(runs, b) }), { active: 'dashboard' });
    }
    if (method === 'GET' && path === '/audit') {
      requireRole(s, STAFF);
      return page(r, s, 'Audit log', db ? auditPage({ db }) : await auditPageOf({ audit: pgAudit! }), { active: 'audit' });
    }
    if (method === 'GET' && path === '/policy') {
      requireRole(s, STAFF);
      return page(r, s, 'Policy', policyPage({ pack, snapshots: await snapshots }), { active: 'policy' });
    }
    if (method === 'GET' && path === '/frontier') {
      requireRole(s, [...STAFF, 'expert']);
      const taskByCase = new Map<string, number>();
      for (const q of await visibleQueues(store, s.user)) for (const t of await store.tasks(q.id)) if (t.frontierCase) taskByCase.set(t.frontierCase, t.id);
      return page(r, s, 'Frontier', frontierPage({ base, results: await frontier.results(), cases: await frontier.listCases(), taskByCase }), { active: 'frontier' });
    }
    if (path === '/admin' || path === '/admin/members') {
      requireRole(s, ['admin']);
      if (method === 'POST') {
        const user = await store.userByName(String(fields.user ?? ''));
        const q = await store.queueByName(String(fields.queue ?? ''));
        if (!user || !q) throw new HttpStatus(400, 'pick a user and a queue');
        await store.addMember(q.id, user.id);
        return redirect(res, `${base}/admin`);
      }
      return page(r, s, 'Admin', await adminPage(s.csrf), { active: 'admin' });
    }
    if (method === 'GET' && path === '/queues') return page(r, s, 'Queues', queuesPage({ base, queues: await queueRows(s.user) }), { active: 'queues' });
    if ((g = m(/^\/queues\/(\d+)(\/next|\/undo)?$/))) {
      const q = await store.queue(Number(g[1]));
      if (!q) throw new HttpStatus(404, `no queue ${g[1]}`);
      if (!(await canSeeQueue(store, s.user, q.id))) throw new AccessError(`queue ${q.name} is not assigned to ${s.user.name}`);
      if (method === 'GET' && g[2] === '/next') {
        // Handed out: reserved for this reviewer, so another reviewer (on any instance) gets another task.
        const t = await store.claimNext(q.id, s.user.id);
        return redirect(res, t ? `${base}/tasks/${t.id}` : `${base}/queues/${q.id}?held=1`);
      }
      if (method === 'POST' && g[2] === '/undo') {
        const t = await undoLast({ store, user: s.user, queueId: q.id });
        if (r.api) return sendJson(res, 200, { undone: t?.id ?? null });
        return redirect(res, t ? `${base}/tasks/${t.id}` : `${base}/queues/${q.id}`);
      }
      if (method === 'GET' && !g[2]) {
        const byTask = new Map<number, VerdictRecord[]>();
        for (const v of await store.verdicts({ queueId: q.id })) byTask.set(v.taskId, [...(byTask.get(v.taskId) ?? []), v]);
        const tasks = (await store.tasks(q.id)).map((t) => ({ t, reviews: byTask.get(t.id) ?? [] }));
        const agreement = STAFF.includes(s.user.role) ? agreementTables({ queues: [await queueAgreement(store, q.id)] }) : undefined;
        return page(r, s, q.name, queuePage({ base, q, progress: await store.progress(q.id, s.user.id), tasks, user: s.user, agreement, held: r.query.get('held') === '1' }), { active: 'queues' });
      }
    }
    if ((g = m(/^\/tasks\/(\d+)(\/verdict)?$/))) {
      const task = await taskFor(store, s.user, Number(g[1]));
      if (method === 'POST' && g[2]) {
        const ranking = typeof fields.ranking === 'string' ? fields.ranking.split(/[\s,>]+/).filter(Boolean).map(Number) : Array.isArray(fields.ranking) ? fields.ranking.map(Number) : undefined;
        await submitVerdict({ store, frontier, user: s.user, taskId: task.id, verdict: typeof fields.verdict === 'string' ? fields.verdict : undefined, ranking, note: typeof fields.note === 'string' && fields.note ? fields.note : undefined });
        const next = (await store.claimNext(task.queueId, s.user.id, task.pos)) ?? (await store.claimNext(task.queueId, s.user.id));
        return redirect(res, next ? `${base}/tasks/${next.id}` : `${base}/queues/${task.queueId}`);
      }
      if (method === 'GET' && !g[2]) {
        const q = (await store.queue(task.queueId))!;
        const reviews = await store.verdicts({ taskId: task.id });
        const mine = [...reviews].reverse().find((v) => v.userId === s.user.id) ?? null;
        const prev = await store.neighbour(task, -1);
        const next = await store.neighbour(task, 1);
        const progress = await store.progress(q.id, s.user.id);
        return page(
          r,
          s,
          task.payload.title,
          taskPage({
            base,
            csrf: s.csrf,
            task,
            queue: q,
            progress,
            mine,
            reviews,
            prevId: prev?.id ?? null,
            nextId: next?.id ?? null,
            policyText: policyFor(task.payload.policy, task.payload.level),
            canDecide: task.kind !== 'frontier' || s.user.role === 'expert' || s.user.role === 'admin',
          }),
          { active: 'queues', bodyAttrs: { 'data-task': task.id, 'data-kind': task.kind, 'data-responses': task.payload.responses?.length ?? 0 } },
        );
      }
    }
    // Tool calls the gateway holds for a person (approvals.ts).
    if (await approvalRoutes({ db, approvals: pgApprovals, base, path, method, api: r.api, user: s.user, csrf: s.csrf, fields, res, page: (title, body) => page(r, s, title, body, { active: 'approvals' }) })) return;
    // JSON API (same sessions, same access rules, CSRF header on POST).
    if (method === 'GET' && path === '/api/queues') return sendJson(res, 200, (await queueRows(s.user)).map(({ q, progress }) => ({ ...q, progress })));
    if ((g = m(/^\/api\/tasks\/(\d+)(\/verdict)?$/))) {
      const task = await taskFor(store, s.user, Number(g[1]));
      if (method === 'GET' && !g[2]) return sendJson(res, 200, { ...task, reviews: await store.verdicts({ taskId: task.id }) });
      if (method === 'POST' && g[2]) {
        const v = await submitVerdict({
          store,
          frontier,
          user: s.user,
          taskId: task.id,
          verdict: typeof fields.verdict === 'string' ? fields.verdict : undefined,
          ranking: Array.isArray(fields.ranking) ? fields.ranking.map(Number) : undefined,
          note: typeof fields.note === 'string' ? fields.note : undefined,
        });
        return sendJson(res, 201, v);
      }
    }
    if (method === 'GET' && (g = m(/^\/api\/runs\/([\w.-]+)\/agreement$/))) {
      requireRole(s, STAFF);
      return sendJson(res, 200, await judgeAgreementIn({ runs, review: store }, g[1]!));
    }
    throw new HttpStatus(404, `no page ${method} ${base}${path}`);
  }

  async function adminPage(csrf: string): Promise<Raw> {
    const users = await store.listUsers();
    const queues = await store.listQueues();
    const names = new Map(queues.map((q) => [q.id, q.name]));
    return html`<h1>Reviewers and assignment</h1>
<table id="users"><thead><tr><th>Name</th><th>Role</th><th>Queues</th><th>Since</th></tr></thead><tbody>
${users.map((u) => html`<tr><td>${u.name}</td><td>${u.role}</td><td>${u.role === 'admin' || u.role === 'reviewer' ? html`<span class="muted">all</span>` : u.queues.map((q) => html`<span class="badge">${names.get(q) ?? q}</span>`)}</td><td>${u.createdAt}</td></tr>`)}</tbody></table>
<h2>Assign a reviewer to a queue</h2>
<form method="post" action="${base}/admin/members" class="card" id="assign-form"><input type="hidden" name="_csrf" value="${csrf}">
<label for="assign-user">Reviewer</label><select id="assign-user" name="user">${users.map((u) => html`<option value="${u.name}">${u.name} (${u.role})</option>`)}</select>
<label for="assign-queue">Queue</label><select id="assign-queue" name="queue">${queues.map((q) => html`<option value="${q.name}">${q.name} (${q.kind})</option>`)}</select>
<p><button type="submit">Assign</button></p></form>
<p class="muted">Add reviewers with <code>pillars review users add --name NAME --role reviewer|expert|vendor|admin</code>.</p>`;
  }

  return {
    base,
    store,
    handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) return false;
      securityHeaders(res);
      if (url.pathname === base) {
        redirect(res, `${base}/`);
        return true;
      }
      const path = url.pathname.slice(base.length) || '/';
      const r: Req = { req, res, path, query: url.searchParams, method: req.method ?? 'GET', api: path.startsWith('/api/') };
      route(r).catch(async (e: unknown) => {
        if (res.headersSent) return void res.end();
        const s = await currentSession(store, req).catch(() => null);
        if (e instanceof AccessError) return fail(r, s, 403, e.message);
        if (e instanceof HttpStatus) return fail(r, s, e.status, e.message);
        if (isPillarsError(e)) return fail(r, s, e.code === 'not_found' ? 404 : e.exitCode === 1 ? 409 : 400, e.message);
        opts.log?.error({ err: (e as Error)?.message }, 'review app error');
        fail(r, s, 500, 'internal error');
      });
      return true;
    },
  };
}

/**
 * Put the app in front of an existing server's request handlers (e.g. the gateway): requests under
 * the app's path go to the app, every other request to the handlers the server already had.
 */
export function mountReviewApp(server: Server, app: ReviewApp): void {
  const previous = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (app.handle(req, res)) return;
    for (const l of previous) l.call(server, req, res);
  });
}

/** The app on its own server (`pillars review serve`). */
export async function startReviewServer(input: { app: ReviewApp; port?: number; host?: string }): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (input.app.handle(req, res)) return;
    if ((req.url ?? '/') === '/') return redirect(res, `${input.app.base}/`);
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`not found: the review app is under ${esc(input.app.base)}/\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(input.port ?? 0, input.host ?? '127.0.0.1', () => resolve());
  });
  const a = server.address() as AddressInfo;
  return {
    server,
    url: `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}${input.app.base}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

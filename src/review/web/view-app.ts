import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isPillarsError } from '../../core/errors.js';
import type { Logger } from '../../core/types.js';
import type { ReportData } from '../../core/report.js';
import { loadStoredReport } from '../../eval/load-report.js';
import { addRegulations } from '../../reports/index.js';
import type { OpenStore } from '../../store/open.js';
import { APP_CSS } from './assets.js';
import { html } from './html.js';
import { HttpStatus, securityHeaders, sendHtml } from './http.js';
import { filtersFrom } from './view-data.js';
import { comparePage, runPage, runsPage, VIEW_CSS_EXTRA, viewLayout } from './view-pages.js';

/**
 * `pillars view`: a local, read-only web viewer of the runs in the store (like `promptfoo view` or
 * `inspect view`). It needs no upstream model and no sign-in, so it is kept to what is safe for
 * that: GET and HEAD only (nothing can be changed through it, so there is nothing for a CSRF token
 * to protect), no cookies, the review app's security headers (a CSP that allows no script), and a
 * Host-header check against DNS rebinding (a page on another site cannot read it through a name that
 * resolves to 127.0.0.1). It listens on 127.0.0.1 unless told otherwise.
 */

export interface ViewAppOptions {
  /** The store the runs are read from, SQLite or PostgreSQL. */
  store: OpenStore;
  /** policy id → regulations, to fill in items' regulations when a run's report lacks them. */
  regulations?: ReadonlyMap<string, readonly string[]> | null;
  log?: Logger;
  /** Host names (without port) accepted in the Host header, besides localhost, 127.0.0.1 and [::1]; `*` accepts any (listening on every address). */
  allowedHosts?: string[];
}

const VIEW_CSS = APP_CSS + VIEW_CSS_EXTRA;
const LOCAL_HOSTS = ['localhost', '127.0.0.1', '[::1]', '::1'];

function hostName(h: string | undefined): string {
  if (!h) return '';
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.split(':')[0]!;
}

export function createViewHandler(opts: ViewAppOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const allowed = new Set([...LOCAL_HOSTS, ...(opts.allowedHosts ?? [])].map((h) => h.toLowerCase()));
  const report = async (id: string): Promise<ReportData> => {
    const r = await loadStoredReport(opts.store, id);
    return opts.regulations ? addRegulations(r, opts.regulations) : r;
  };
  const pageOf = (q: URLSearchParams): number => Math.max(0, Math.floor(Number(q.get('page') ?? 0)) || 0);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    if (path === '/static/view.css') {
      res.writeHead(200, { 'content-type': 'text/css; charset=utf-8' });
      return void res.end(VIEW_CSS);
    }
    if (path === '/' || path === '/runs') {
      const rows = await opts.store.runs.listRuns({ limit: 200 });
      const runs = await Promise.all(rows.map(async (run) => ({ run, report: await loadStoredReport(opts.store, run.id, { items: 'none' }) })));
      return sendHtml(res, 200, viewLayout('Runs', runsPage(runs)));
    }
    const m = /^\/runs\/([^/]+)$/.exec(path);
    if (m) {
      const r = await report(decodeURIComponent(m[1]!));
      const others = await opts.store.runs.listRuns({ limit: 200 });
      return sendHtml(res, 200, viewLayout(`Run ${r.run.id}`, runPage({ report: r, f: filtersFrom(url.searchParams), page: pageOf(url.searchParams), others })));
    }
    if (path === '/compare') {
      const ids = url.searchParams.getAll('run').filter(Boolean);
      if (ids.length < 2) throw new HttpStatus(400, 'pick at least two runs to compare (?run=A&run=B)');
      if (ids.length > 8) throw new HttpStatus(400, 'compare at most 8 runs at once');
      const reports: ReportData[] = [];
      for (const id of ids) reports.push(await report(id));
      return sendHtml(res, 200, viewLayout('Side by side', comparePage({ reports, f: filtersFrom(url.searchParams), page: pageOf(url.searchParams) })));
    }
    throw new HttpStatus(404, `no page ${path}`);
  }

  return async (req, res) => {
    securityHeaders(res);
    const fail = (status: number, message: string): void => sendHtml(res, status, viewLayout(String(status), html`<h1>${status === 404 ? 'Not found' : 'Error'}</h1><div class="error" role="alert">${message}</div>`));
    if (!allowed.has('*') && !allowed.has(hostName(req.headers.host).toLowerCase())) return fail(421, 'unexpected Host header: open the viewer through the address `pillars view` printed');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return fail(405, 'the viewer is read-only');
    }
    try {
      await route(req, res);
    } catch (e) {
      if (e instanceof HttpStatus) return fail(e.status, e.message);
      if (isPillarsError(e)) return fail(e.code === 'not_found' ? 404 : 400, e.message);
      opts.log?.error({ err: (e as Error)?.message }, 'view error');
      fail(500, 'internal error');
    }
  };
}

export interface ViewServer {
  server: Server;
  /** http://HOST:PORT (no trailing slash). */
  origin: string;
  close(): Promise<void>;
}

export async function startViewServer(input: ViewAppOptions & { port?: number; host?: string }): Promise<ViewServer> {
  const host = input.host ?? '127.0.0.1';
  const extra = LOCAL_HOSTS.includes(host) ? [] : host === '0.0.0.0' || host === '::' ? ['*'] : [host];
  const handle = createViewHandler({ ...input, allowedHosts: [...(input.allowedHosts ?? []), ...extra] });
  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(input.port ?? 0, host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return {
    server,
    origin: `http://${shown === '0.0.0.0' || shown === '[::]' ? '127.0.0.1' : shown}:${a.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

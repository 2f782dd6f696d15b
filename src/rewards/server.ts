import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { SpanKind, type Tracing } from '../core/trace.js';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { HttpError } from '../core/errors.js';
import type { Ctx } from '../core/types.js';
import type { RewardModel } from './model.js';
import { rewardItemOf, splitQuery } from './prompt.js';
import type { RewardItem, RewardScorer } from './scorer.js';

/**
 * The reward HTTP server:
 *   POST /get_reward  {"query": [...], "prompts": [...]} → {"rewards": [...]}  (OpenRLHF remote RM)
 *   POST /v1/reward   {"items": [{prompt, response}]}   → {"rewards": [{reward, components, reasons}]}
 *                     (prompt: text, chat-templated text or a message list; see prompt.ts)
 *   GET  /healthz     → {"ok": true, ...}
 * OpenRLHF sends each `query` as prompt + response text (chat template applied); the response is
 * what follows the matching `prompts` entry. Without `prompts`, the last assistant turn is found
 * by common chat-template markers. Prompts are read by prompt.ts, as `reward score` reads them.
 */

const OpenRlhfBody = z.object({
  query: z.array(z.string()).max(100_000),
  prompts: z.array(z.string()).optional(),
  labels: z.array(z.unknown()).optional(),
});

const PlainBody = z.object({
  items: z.array(z.unknown()).max(100_000),
});

export interface RewardServerOptions {
  scorer: RewardScorer;
  model: RewardModel;
  ctx: Ctx;
  port?: number;
  host?: string;
  maxBodyBytes?: number;
  /** Shown by /healthz. */
  info?: Record<string, unknown>;
  /** Traces: a span per scoring request (items, mean reward, duration), child of the caller's W3C context; off unless given. */
  tracing?: Tracing;
}

export interface RunningRewardServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

function readBody(req: IncomingMessage, max: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    // A body over the limit is read to its end and dropped, then answered 413: destroying the
    // socket mid-upload would reach the client as a connection reset, not as an answer.
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (over) return;
      if (size > max) {
        over = true;
        chunks = [];
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (over) return reject(new HttpError(413, `request body over ${max} bytes (${size} bytes sent)`));
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (e) {
        reject(new HttpError(400, `invalid JSON: ${(e as Error).message}`));
      }
    });
    req.on('error', reject);
  });
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body);
  if (!r.success) throw new HttpError(400, r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  return r.data;
}

export function startRewardServer(opts: RewardServerOptions): Promise<RunningRewardServer> {
  const max = opts.maxBodyBytes ?? 64 * 1024 * 1024;
  let served = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let scored: (rewards: number[]) => void = () => {};
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && (path === '/healthz' || path === '/health')) {
      send(res, 200, { ok: true, heads: opts.model.heads.map((h) => h.name), heldOutAccuracy: opts.model.meta.report.heldOutAccuracy, scored: served, ...opts.info });
      return;
    }
    if (req.method !== 'POST' || (path !== '/get_reward' && path !== '/v1/reward')) throw new HttpError(404, `no route ${req.method} ${path} (POST /get_reward, POST /v1/reward, GET /healthz)`);
    const body = await readBody(req, max);
    const tracing = opts.tracing?.enabled ? opts.tracing : null;
    if (tracing) {
      // One span per scoring decision (a request: its items are scored together).
      const t0 = performance.now();
      const span = tracing.start('pillars.decision', { 'pillars.check': 'reward', 'http.route': path, 'pillars.stage': 'reward-model' }, tracing.extract(req.headers), { kind: SpanKind.SERVER });
      res.once('close', () => {
        span.setAttributes({ 'http.status_code': res.statusCode, 'pillars.duration_ms': Math.round((performance.now() - t0) * 100) / 100 });
        span.end();
      });
      scored = (rewards) => {
        span.setAttributes({ 'pillars.items': rewards.length, 'pillars.score': rewards.length ? rewards.reduce((a, b) => a + b, 0) / rewards.length : 0 });
      };
    }
    if (path === '/get_reward') {
      const b = parse(OpenRlhfBody, body);
      if (b.prompts && b.prompts.length !== b.query.length) throw new HttpError(400, `prompts: ${b.prompts.length} entries for ${b.query.length} queries`);
      const items = b.query.map((q, i) => splitQuery(q, b.prompts?.[i]));
      const out = await opts.scorer.score(items, opts.ctx, { reasons: false });
      served += out.length;
      const rewards = out.map((r) => r.reward);
      scored(rewards);
      // `rewards` is what OpenRLHF reads; `scores` and `score` serve older versions and other clients.
      send(res, 200, { rewards, scores: rewards, score: rewards });
      return;
    }
    const b = parse(PlainBody, body);
    const items: RewardItem[] = b.items.map((row, i) => {
      const r = rewardItemOf(row);
      if ('error' in r) throw new HttpError(400, `items.${i}: ${r.error}`);
      return r;
    });
    const out = await opts.scorer.score(items, opts.ctx);
    served += out.length;
    scored(out.map((r) => r.reward));
    send(res, 200, { rewards: out });
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      if (status === 500) opts.ctx.log.error({ err: (e as Error)?.message }, 'reward request failed');
      if (!res.headersSent) send(res, status, { error: { message: (e as Error)?.message ?? String(e) } });
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      const { port, address } = server.address() as AddressInfo;
      const host = address.includes(':') ? `[${address}]` : address;
      resolve({
        url: `http://${host}:${port}`,
        port,
        server,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

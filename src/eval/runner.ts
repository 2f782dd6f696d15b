import { setMaxListeners } from 'node:events';
import { parentFromEnv, SpanKind, type Tracing } from '../core/trace.js';
import { PillarsError, TargetError } from '../core/errors.js';
import { itemMessages, type Ctx, type GenerateOptions, type Generation, type Message, type Target } from '../core/types.js';
import type { ResultRecord, RunStore, StoredItem } from '../store/runs.js';
import type { TargetSettings } from '../targets/index.js';
import { sha256, stableStringify } from '../targets/index.js';
import type { JudgePipelineLike } from './assertion-judge.js';
import { RateLimiter } from './rate-limit.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry.js';

/**
 * Executes a stored run: pages through the items that have no successful response (keyset paging,
 * so memory stays flat at any size), asks the target with a concurrency limit, rate limits,
 * retries and a per-request timeout, judges each answer and streams results into the store in
 * batched transactions. Stopping (abort, or `stopAfter`) leaves unanswered items pending so
 * `--resume` finishes them without asking again for the answered ones.
 */

export interface ExecuteInput {
  store: RunStore;
  runId: string;
  target: Target;
  settings: TargetSettings;
  judge: JudgePipelineLike;
  concurrency: number;
  seed: number;
  /** Use the response cache (default true). */
  cache?: boolean;
  /** Stop after this many newly answered items (for tests and partial runs). */
  stopAfter?: number;
  /** Backoff settings (maxRetries comes from the target's settings). */
  retry?: Partial<RetryPolicy>;
  onProgress?: (p: Progress) => void;
  /** Traces: a span for the run and one per judged item (off unless configured). */
  tracing?: Tracing;
  /**
   * Only the items with `seqFrom <= seq < seqTo` (a queue job's share of the run, eval/queue.ts).
   * Answered items in the range are skipped, so a retried job asks only what is still pending.
   */
  seqFrom?: number;
  seqTo?: number;
  /** Copy fresh answers into the response cache when done (default true; a queue's coordinator does it once). */
  commitCache?: boolean;
  /** Rate limits shared beyond this run (a queue worker's, held across workers in Redis: eval/queue-rate-limit.ts); default: this run's own. */
  limiter?: Pick<RateLimiter, 'active' | 'acquire' | 'settle'>;
}

export interface Progress {
  done: number;
  total: number;
  errors: number;
  cached: number;
}

export interface ExecuteResult {
  answered: number;
  errors: number;
  cached: number;
  requests: number;
  stopped: boolean;
}

const PAGE = 512;
const FLUSH_ROWS = 512;
const FLUSH_MS = 200;

/** The response-cache key: target fingerprint, messages and generation parameters (option order does not matter). */
export function cacheKey(fingerprint: string, messages: Message[], options: GenerateOptions): string {
  // A message's media count by content: two items with the same words and different images differ.
  const turns = messages.map((m) => (m.media?.length ? [m.role, m.content, m.media.map((x) => `${x.type}:${sha256(x.data ?? x.path ?? '')}`)] : [m.role, m.content]));
  return sha256(JSON.stringify([fingerprint, turns, stableStringify(options)]));
}

function estimateTokens(messages: { content: string }[], maxTokens?: number): number {
  let chars = 0;
  for (const m of messages) chars += m.content.length;
  return Math.ceil(chars / 4) + (maxTokens ?? 256);
}

export async function executeRun(input: ExecuteInput, ctx: Ctx): Promise<ExecuteResult> {
  const { store, runId, target, settings } = input;
  const run = await store.getRun(runId);
  if (!run) throw new PillarsError(`run ${runId} not found`, { code: 'not_found' });
  const total = run.item_count ?? 0;
  const useCache = input.cache ?? true;
  const limiter = input.limiter ?? new RateLimiter({ rpm: settings.rpm, tpm: settings.tpm });
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...input.retry, maxRetries: settings.maxRetries ?? input.retry?.maxRetries ?? DEFAULT_RETRY.maxRetries };
  const timeoutMs = settings.timeoutMs ?? 60_000;

  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  const inflight = new Set<AbortController>();
  stop.signal.addEventListener('abort', () => {
    for (const ac of inflight) ac.abort(stop.signal.reason);
  });
  const onAbort = (): void => stop.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const runCtx: Ctx = { ...ctx, signal: stop.signal, runId };

  const res: ExecuteResult = { answered: 0, errors: 0, cached: 0, requests: 0, stopped: false };
  const tracing = input.tracing?.enabled ? input.tracing : null;
  const runSpan = tracing?.start('pillars.eval.run', { 'pillars.run_id': runId, 'pillars.target': target.id }, parentFromEnv(tracing), { kind: SpanKind.INTERNAL }) ?? null;
  const runTrace = tracing && runSpan ? tracing.withSpan(parentFromEnv(tracing), runSpan) : undefined;
  let done = await store.countAnswered(runId);
  let consecutiveFailures = 0;
  let lastError = '';
  let fatal: unknown = null;

  // ---- the writer: batches results into one transaction every FLUSH_ROWS rows or FLUSH_MS ms
  let buffer: ResultRecord[] = [];
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (buffer.length === 0) return writing;
    const batch = buffer;
    buffer = [];
    writing = writing.then(() => store.writeResults(runId, batch));
    return writing;
  };
  const push = (r: ResultRecord): void => {
    buffer.push(r);
    if (buffer.length >= FLUSH_ROWS) void flush();
    else timer ??= setTimeout(() => void flush(), FLUSH_MS);
  };

  // ---- the reader: pages of pending items, in order
  interface Prepared {
    s: StoredItem;
    messages: Message[];
    options: GenerateOptions;
    key: string;
    hit: Generation | null;
  }
  const prepare = async (rows: StoredItem[]): Promise<Prepared[]> => {
    const out = rows.map((s): Prepared => {
      const messages = itemMessages(s.item);
      const options: GenerateOptions = { ...settings.options, seed: (settings.options?.seed ?? input.seed) + s.sample };
      return { s, messages, options, key: useCache ? cacheKey(target.fingerprint, messages, options) : '', hit: null };
    });
    if (useCache && out.length) {
      const hits = await store.cacheGetMany(out.map((p) => p.key));
      for (const p of out) p.hit = hits.get(p.key) ?? null;
    }
    return out;
  };
  let page: Prepared[] = [];
  let pageAt = 0;
  let lastSeq = (input.seqFrom ?? 0) - 1;
  const seqTo = input.seqTo ?? Infinity;
  let exhausted = false;
  let reading: Promise<void> | null = null;
  const next = async (): Promise<Prepared | null> => {
    for (;;) {
      if (pageAt < page.length) return page[pageAt++]!;
      if (exhausted) return null;
      reading ??= (async () => {
        // A range (a queue job) reads no further than its end: at most seqTo - lastSeq - 1 items are left in it.
        const limit = Math.min(PAGE, seqTo - lastSeq - 1);
        let rows = limit > 0 ? await store.pendingItems(runId, lastSeq, limit, Number.isFinite(seqTo) ? seqTo : undefined) : [];
        if (rows.length < PAGE) exhausted = true;
        if (rows.length && rows[rows.length - 1]!.seq >= seqTo) {
          rows = rows.filter((r) => r.seq < seqTo);
          exhausted = true;
        }
        if (rows.length) lastSeq = rows[rows.length - 1]!.seq;
        page = await prepare(rows);
        pageAt = 0;
      })().finally(() => {
        reading = null;
      });
      await reading;
    }
  };

  const processOne = async (p: Prepared): Promise<void> => {
    const { s, messages, options, key } = p;
    const t0 = performance.now();
    let gen: Generation | null = p.hit;
    const cached = gen !== null;
    let attempts = 0;
    if (!gen) {
      const est = estimateTokens(messages, options.maxTokens);
      // No limits configured: no promise (nor microtask turn) per request.
      if (limiter.active) await limiter.acquire(est, runCtx.signal);
      try {
        res.requests++;
        const r = await withRetry((signal) => target.generate({ messages, options }, { ...runCtx, signal }), {
          policy,
          timeoutMs,
          signal: runCtx.signal,
          track: inflight,
          onRetry: (e, n, ms) => {
            res.requests++;
            ctx.log.debug({ target: target.id, item: s.item.id, attempt: n, delayMs: ms, error: (e as Error).message }, 'retrying');
          },
        });
        gen = r.value;
        attempts = r.attempts;
        limiter.settle(est, gen.usage ? (gen.usage.inputTokens ?? 0) + (gen.usage.outputTokens ?? 0) : undefined);
      } catch (e) {
        if (runCtx.signal.aborted) return; // stopping: leave the item pending
        const msg = (e as Error).message ?? String(e);
        res.errors++;
        consecutiveFailures++;
        lastError = msg;
        push({ response: { seq: s.seq, text: null, error: msg, cached: false, attempts: policy.maxRetries + 1 } });
        if (consecutiveFailures >= 10 && res.answered === 0 && done === 0) {
          fatal = new TargetError(`target ${target.id}: the first ${consecutiveFailures} requests failed; last error: ${msg}`, { isRetryable: false });
          stop.abort(fatal);
        }
        input.onProgress?.({ done, total, errors: res.errors, cached: res.cached });
        return;
      }
    }
    consecutiveFailures = 0;
    const judged = await input.judge.judge({ item: s.item, transcript: [...messages, { role: 'assistant', content: gen.text }], response: gen.text }, runCtx);
    const f = judged.final;
    if (tracing) {
      // One span per decision: the judged item (policy, level, the judges' label, pass, stage, duration).
      const attrs: Record<string, string | number | boolean> = { 'pillars.check': 'eval', 'pillars.item': s.item.id, 'pillars.action': f.label, 'pillars.stage': 'judge', 'pillars.cached': cached, 'pillars.duration_ms': Math.round((performance.now() - t0) * 100) / 100, 'pillars.score': f.score };
      if (s.item.policy) attrs['pillars.policy'] = s.item.policy;
      if (typeof s.item.level === 'number') attrs['pillars.level'] = s.item.level;
      if (typeof f.passed === 'boolean') attrs['pillars.passed'] = f.passed;
      tracing.start('pillars.decision', attrs, runTrace, { startTime: performance.timeOrigin + t0 }).end();
    }
    const record: ResultRecord = {
      response: {
        seq: s.seq,
        text: gen.text,
        error: null,
        finishReason: gen.finishReason,
        latencyMs: gen.latencyMs,
        usage: gen.usage,
        logprobs: gen.logprobs,
        guard: gen.guard,
        cached,
        attempts,
      },
      judgement: { seq: s.seq, label: f.label, passed: f.passed ?? null, score: f.score, verdicts: judged.verdicts },
    };
    if (useCache && !cached) record.response.cacheKey = key;
    push(record);
    res.answered++;
    if (cached) res.cached++;
    done++;
    input.onProgress?.({ done, total, errors: res.errors, cached: res.cached });
    if (input.stopAfter !== undefined && res.answered >= input.stopAfter && !stop.signal.aborted) {
      res.stopped = true;
      stop.abort(new PillarsError('stopped after the requested number of items', { code: 'internal' }));
    }
  };

  // With stopAfter, no more items start than could still be needed (failed ones are replaced), so a
  // stopped run has answered the first pending items in order, at any concurrency (as `--queue --limit` does).
  let started = 0;
  const worker = async (): Promise<void> => {
    while (!stop.signal.aborted) {
      if (input.stopAfter !== undefined && started - res.errors >= input.stopAfter) return;
      started++;
      const s = await next();
      if (!s) return;
      try {
        await processOne(s);
      } catch (e) {
        if (stop.signal.aborted) return;
        fatal ??= e;
        stop.abort(e);
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.max(1, input.concurrency) }, worker));
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await flush();
    if (useCache && input.commitCache !== false) await store.commitCache(runId);
    runSpan?.setAttributes({ 'pillars.answered': res.answered, 'pillars.errors': res.errors });
    runSpan?.end();
  }
  if (fatal) throw fatal;
  if (ctx.signal.aborted) res.stopped = true;
  if (res.errors > 0) ctx.log.warn({ target: target.id, errors: res.errors, lastError }, 'some requests failed after retries');
  return res;
}

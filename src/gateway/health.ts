import type { MaybePromise } from '../core/maybe.js';
import type { AuditLog } from './audit.js';
import type { Upstream } from './upstream.js';

/**
 * Liveness and readiness, apart. `/livez` says the process answers (nothing else is touched,
 * so it stays cheap under load). `/readyz` (and `/healthz`, with the same detail) says whether a
 * request could be served now: the upstream answers HTTP (a probe, at most one in flight, its
 * answer reused for `cacheMs`), the store answers a query, and audit records are being written.
 */

export interface CheckResult {
  ok: boolean;
  detail?: string;
  ms?: number;
}

export interface Readiness {
  ready: boolean;
  checks: { upstream: CheckResult; store: CheckResult; audit: CheckResult & { pending: number } };
}

export interface ReadinessProbe {
  check(): Promise<Readiness>;
}

export function createReadiness(opts: { upstream: Upstream | null; store?: { ping(): MaybePromise<void> } | null; audit: AuditLog | null; probeMs: number; cacheMs: number; now?: () => number }): ReadinessProbe {
  const now = opts.now ?? Date.now;
  let cached: { at: number; result: CheckResult } | null = null;
  let inflight: Promise<CheckResult> | null = null;

  const probe = async (): Promise<CheckResult> => {
    const up = opts.upstream;
    if (!up) return { ok: false, detail: 'no upstream is configured' };
    const t = performance.now();
    try {
      const status = await up.probe(opts.probeMs);
      // Any HTTP answer means the server is there (some do not serve /models); 5xx means it is not well.
      const ms = Math.round(performance.now() - t);
      return status >= 500 ? { ok: false, detail: `${up.base}/models answered ${status}`, ms } : { ok: true, ms };
    } catch (e) {
      return { ok: false, detail: (e as Error).message, ms: Math.round(performance.now() - t) };
    }
  };
  const upstream = async (): Promise<CheckResult> => {
    const fresh = cached && now() - cached.at < opts.cacheMs;
    if (!fresh && !inflight) {
      inflight = probe().then((result) => {
        cached = { at: now(), result };
        inflight = null;
        return result;
      });
    }
    // A stale answer is served while the next probe runs; the first call waits for its probe.
    if (cached) return cached.result;
    return inflight!;
  };
  const store = async (): Promise<CheckResult> => {
    if (!opts.store) return { ok: true, detail: 'no store (nothing is audited)' };
    try {
      await withTimeout(opts.store.ping(), opts.probeMs);
      return { ok: true };
    } catch (e) {
      return { ok: false, detail: (e as Error).message };
    }
  };
  const audit = (): CheckResult & { pending: number } => {
    const a = opts.audit;
    if (!a) return { ok: true, pending: 0, detail: 'no audit log' };
    return a.error === null ? { ok: true, pending: a.pending } : { ok: false, pending: a.pending, detail: `audit records cannot be written: ${a.error}` };
  };

  return {
    async check() {
      const [up, st] = await Promise.all([upstream(), store()]);
      const checks = { upstream: up, store: st, audit: audit() };
      return { ready: checks.upstream.ok && checks.store.ok && checks.audit.ok, checks };
    },
  };
}

/** `v`, or a rejection after `ms` (a store that does not answer is not ready). */
async function withTimeout<T>(v: MaybePromise<T>, ms: number): Promise<T> {
  if (!(v instanceof Promise)) return v;
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([v, new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`the store did not answer in ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(t);
  }
}

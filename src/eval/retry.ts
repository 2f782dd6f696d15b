import { PillarsError, TargetError } from '../core/errors.js';

/** Exponential backoff with full jitter, honouring a server's Retry-After hint. */

export function abortError(signal: AbortSignal): Error {
  const r = signal.reason as unknown;
  return r instanceof Error ? r : new PillarsError('aborted', { code: 'internal' });
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(abortError(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryPolicy {
  maxRetries: number;
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 4, baseMs: 500, maxMs: 30_000 };

export function backoffMs(attempt: number, p: RetryPolicy, hintMs?: number, random: () => number = Math.random): number {
  if (hintMs !== undefined) return Math.min(hintMs, p.maxMs * 2);
  const cap = Math.min(p.maxMs, p.baseMs * 2 ** attempt);
  return Math.round(cap / 2 + random() * (cap / 2));
}

export function isRetryable(e: unknown): boolean {
  return e instanceof PillarsError && e.isRetryable;
}

/**
 * Run `fn(signal)` with a per-attempt timeout and retries on retryable TargetErrors. Returns the
 * value and the attempts made. The parent signal aborting stops at once (not retried).
 */
export async function withRetry<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  opts: {
    policy: RetryPolicy;
    timeoutMs: number;
    signal: AbortSignal;
    onRetry?: (e: unknown, attempt: number, delayMs: number) => void;
    /** In-flight controllers the caller aborts itself when `signal` aborts (saves a listener per request). */
    track?: Set<AbortController>;
  },
): Promise<{ value: T; attempts: number }> {
  for (let attempt = 0; ; attempt++) {
    if (opts.signal.aborted) throw abortError(opts.signal);
    const ac = new AbortController();
    // With `track`, the caller aborts the controller itself: no listener (nor closure) per attempt.
    const onParent = opts.track ? null : (): void => ac.abort(opts.signal.reason);
    if (opts.track) opts.track.add(ac);
    else opts.signal.addEventListener('abort', onParent!, { once: true });
    const timer = setTimeout(() => ac.abort(new DOMException(`request timed out after ${opts.timeoutMs} ms`, 'TimeoutError')), opts.timeoutMs);
    try {
      const value = await fn(ac.signal);
      return { value, attempts: attempt + 1 };
    } catch (e) {
      if (opts.signal.aborted) throw abortError(opts.signal);
      let err = e;
      if (ac.signal.aborted && !(e instanceof TargetError && e.isRetryable)) {
        err = new TargetError(`request timed out after ${opts.timeoutMs} ms`, { isRetryable: true, cause: e });
      }
      if (!isRetryable(err) || attempt >= opts.policy.maxRetries) {
        if (err !== e && err instanceof Error) throw err;
        throw e;
      }
      const delay = backoffMs(attempt, opts.policy, (err as { retryAfterMs?: number }).retryAfterMs);
      opts.onRetry?.(err, attempt + 1, delay);
      await sleep(delay, opts.signal);
    } finally {
      clearTimeout(timer);
      if (opts.track) opts.track.delete(ac);
      else opts.signal.removeEventListener('abort', onParent!);
    }
  }
}

import { abortError, sleep } from './retry.js';

/**
 * Per-target rate limits as two token buckets refilled continuously: requests per minute and
 * (estimated) tokens per minute. Waiters are served in arrival order.
 */
export class RateLimiter {
  private req: number;
  private tok: number;
  private last = performance.now();
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly limits: { rpm?: number; tpm?: number }) {
    this.req = limits.rpm !== undefined ? Math.max(1, limits.rpm / 60) : Infinity;
    this.tok = limits.tpm ?? Infinity;
  }

  get active(): boolean {
    return this.limits.rpm !== undefined || this.limits.tpm !== undefined;
  }

  private refill(): void {
    const now = performance.now();
    const dt = (now - this.last) / 60_000;
    this.last = now;
    if (this.limits.rpm !== undefined) this.req = Math.min(Math.max(1, this.limits.rpm / 60), this.req + dt * this.limits.rpm);
    if (this.limits.tpm !== undefined) this.tok = Math.min(this.limits.tpm, this.tok + dt * this.limits.tpm);
  }

  /** Wait for one request carrying about `tokens` tokens. */
  acquire(tokens: number, signal: AbortSignal): Promise<void> {
    if (!this.active) return Promise.resolve();
    const next = this.chain.then(async () => {
      const want = Math.min(tokens, this.limits.tpm ?? Infinity);
      for (;;) {
        if (signal.aborted) throw abortError(signal);
        this.refill();
        const needReq = this.limits.rpm !== undefined ? Math.max(0, 1 - this.req) / this.limits.rpm : 0;
        const needTok = this.limits.tpm !== undefined ? Math.max(0, want - this.tok) / this.limits.tpm : 0;
        const waitMin = Math.max(needReq, needTok);
        if (waitMin <= 0) {
          if (this.limits.rpm !== undefined) this.req -= 1;
          if (this.limits.tpm !== undefined) this.tok -= want;
          return;
        }
        await sleep(Math.ceil(waitMin * 60_000), signal);
      }
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Correct the token estimate once the provider reports real usage. */
  settle(estimated: number, actual: number | undefined): void {
    if (this.limits.tpm === undefined || actual === undefined) return;
    this.tok -= actual - estimated;
  }
}

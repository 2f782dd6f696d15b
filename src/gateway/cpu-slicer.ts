/**
 * Guard work in slices: the embedded classifier is synchronous CPU work, and a request with a
 * large text asks for hundreds of checks. Run back to back they hold the event loop for seconds
 * (health checks, other callers and the audit flush all wait). Every check goes through one
 * queue per gateway; a runner starts checks until `sliceMs` have passed, then lets the event loop
 * turn (setImmediate) before the next slice. Checks from concurrent requests interleave in
 * arrival order, so a small request is not stuck behind a large one's whole text.
 */

export interface CpuSlicer {
  /** Run `job` (its synchronous part counts against the slice) when the queue reaches it. */
  run<T>(job: () => Promise<T> | T): Promise<T>;
  /** Jobs waiting. */
  readonly waiting: number;
}

interface Job {
  job: () => unknown;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

export function createCpuSlicer(opts: { sliceMs: number; now?: () => number }): CpuSlicer {
  const now = opts.now ?? (() => performance.now());
  const queue: Job[] = [];
  let head = 0;
  let scheduled = false;
  const drain = (): void => {
    scheduled = false;
    const start = now();
    while (head < queue.length) {
      const j = queue[head]!;
      queue[head++] = undefined as unknown as Job;
      try {
        // The job's synchronous part runs here; what it awaits later (a cascade's LLM call) does not hold the slice.
        Promise.resolve(j.job()).then(j.resolve, j.reject);
      } catch (e) {
        j.reject(e);
      }
      if (now() - start >= opts.sliceMs) break;
    }
    if (head >= queue.length) {
      queue.length = 0;
      head = 0;
    } else {
      // Under steady load the queue never empties: drop the finished front now and then.
      if (head > 1024) {
        queue.splice(0, head);
        head = 0;
      }
      schedule();
    }
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(drain);
  };
  return {
    run<T>(job: () => Promise<T> | T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ job, resolve: resolve as (v: unknown) => void, reject });
        schedule();
      });
    },
    get waiting() {
      return queue.length - head;
    },
  };
}

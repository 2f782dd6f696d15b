import { UserError } from '../core/errors.js';
import type { Logger } from '../core/types.js';
import { HEARTBEAT_MS, newOwner } from '../store/run-lease.js';
import type { RunStore } from '../store/runs.js';

/**
 * The lease a running eval holds on its run (see store/run-lease.ts): taken when the run starts or
 * resumes, renewed every few seconds, given up by the final status. A process killed without a
 * chance to say so stops renewing, and its run then reads as `interrupted`.
 */

export interface RunLease {
  readonly owner: string;
  /** Start renewing the lease for this run. */
  hold(runId: string): void;
  stop(): void;
}

export function createLease(store: RunStore, opts: { heartbeatMs?: number; log?: Logger } = {}): RunLease {
  const owner = newOwner();
  let timer: NodeJS.Timeout | null = null;
  return {
    owner,
    hold(runId) {
      if (timer) clearInterval(timer);
      timer = setInterval(() => {
        Promise.resolve()
          .then(() => store.heartbeat(runId, owner))
          .catch((e: unknown) => opts.log?.warn({ run: runId, err: (e as Error)?.message }, 'could not renew the run lease'));
      }, opts.heartbeatMs ?? HEARTBEAT_MS);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

/** Take the run's lease or refuse (exit 2): another live process is running it. */
export async function claimOrRefuse(store: RunStore, runId: string, lease: RunLease): Promise<void> {
  const r = await store.claimRun(runId, lease.owner);
  if (!r.ok) {
    throw new UserError(
      `run ${runId} is already running (${r.holder}): wait for it to finish, or stop it; a killed run is released once its process is gone (on another host, 30 s after its last heartbeat)`,
      { code: 'usage' },
    );
  }
  lease.hold(runId);
}

import { Redis } from 'ioredis';
import type { Logger } from '../core/types.js';

/**
 * The Redis connection gateway instances share state through (`gateway.redis`): per-key rate
 * limits, conversation escalation memory and anomaly windows. Commands fail fast while Redis is
 * down (no offline queue), and each user of the connection falls back to its per-process state;
 * an outage is logged once, and again after Redis comes back and goes away again.
 */
export interface SharedRedis {
  client: Redis;
  /** Resolves once connected, or once the first attempt failed, or after 2 s (requests never wait longer). */
  ready(): Promise<void> | null;
  /** Whether commands can be sent now. */
  up(): boolean;
  close(): Promise<void>;
}

export function connectSharedRedis(url: string, opts: { log?: Logger } = {}): SharedRedis {
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
  let warned = false;
  client.on('error', (e: Error) => {
    if (!warned) opts.log?.error({ err: e.message }, 'gateway.redis does not answer: rate limits, escalation memory and anomaly windows are per instance until it does');
    warned = true;
  });
  client.on('ready', () => (warned = false));
  let connected: Promise<void> | null = new Promise<void>((resolve) => {
    const t = setTimeout(resolve, 2000);
    t.unref();
    const done = (): void => {
      clearTimeout(t);
      resolve();
    };
    client.once('ready', done);
    client.once('error', done);
  }).then(() => void (connected = null));
  return {
    client,
    ready: () => connected,
    up: () => client.status === 'ready',
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import postgres from 'postgres';
import { requirePrereq } from './prereq.js';

/**
 * PostgreSQL for store tests: PILLARS_TEST_PG, else the CI service at 127.0.0.1:5432 (database
 * `test`, trust auth). Each test file gets its own schema (`?schema=` on the URL), dropped after.
 * Without CI, an unreachable server skips the suite with a printed reason; with CI it fails.
 */
export const PG_BASE = process.env.PILLARS_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

async function answers(url: string): Promise<string | null> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`SELECT 1`;
    return null;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

const pgProblem = await answers(PG_BASE);
if (pgProblem && !process.env.CI) process.stderr.write(`PostgreSQL tests skipped: ${PG_BASE} does not answer (${pgProblem}); CI starts it (.ci/run)\n`);

/** `describe.skipIf(SKIP_PG)`: PostgreSQL unreachable and not CI. */
export const SKIP_PG = pgProblem !== null && !process.env.CI;

/** First in a PostgreSQL suite: under CI an unreachable server is the failure. */
export function requirePg(): void {
  requirePrereq(pgProblem === null, `PostgreSQL at ${PG_BASE} does not answer (${pgProblem})`);
}

/** A fresh schema on the test database: the store URL, and a drop for afterAll. */
export function pgSchema(): { url: string; drop: () => Promise<void> } {
  const schema = `pillars_t_${process.pid}_${randomBytes(3).toString('hex')}`;
  return {
    url: `${PG_BASE}?schema=${schema}`,
    async drop() {
      const sql = postgres(PG_BASE, { max: 1, onnotice: () => {} });
      await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await sql.end({ timeout: 1 });
    },
  };
}

/** Redis for queue and gateway tests: PILLARS_TEST_REDIS, else 127.0.0.1:6379. */
export const REDIS_HOST = process.env.PILLARS_TEST_REDIS ?? '127.0.0.1:6379';

async function redisAnswers(hostPort: string): Promise<string | null> {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve) => {
    const sock = connect({ host, port: Number(port ?? 6379) });
    const done = (v: string | null): void => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(3000, () => done('timed out'));
    sock.once('error', (e) => done(e.message));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d) => done(d.toString().startsWith('+PONG') ? null : `answered ${JSON.stringify(d.toString().slice(0, 40))}`));
  });
}

const redisProblem = await redisAnswers(REDIS_HOST);
if (redisProblem && !process.env.CI) process.stderr.write(`Redis tests skipped: ${REDIS_HOST} does not answer (${redisProblem}); CI starts it (.ci/run)\n`);

/** `describe.skipIf(SKIP_REDIS)`: Redis unreachable and not CI. */
export const SKIP_REDIS = redisProblem !== null && !process.env.CI;

export function requireRedis(): void {
  requirePrereq(redisProblem === null, `Redis at ${REDIS_HOST} does not answer (${redisProblem})`);
}

/** A queue URL on a Redis database of its own (1-15), so test runs do not take each other's jobs. */
export function redisUrl(): string {
  return `redis://${REDIS_HOST}/${1 + (randomBytes(1)[0]! % 15)}`;
}

import fc from 'fast-check';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preferenceTasks } from '../../src/review/create.js';
import { hashPassword } from '../../src/review/password.js';
import { createReviewApp, mountReviewApp } from '../../src/review/web/app.js';
import { openDb, type Db } from '../../src/store/db.js';
import { tempDir } from './helpers.js';

/**
 * Property tests of the review app's form parsing, through the real app on a real HTTP server:
 * any sign-in form or verdict body (form-encoded or JSON, any content type) is answered with a
 * page, a redirect or a 4xx: never a 500. A form the app wrote itself round-trips.
 */

const RUNS = 60;

describe('fuzz: review app forms', () => {
  const tmp = tempDir('pillars-fuzz-review-');
  let db: Db;
  let server: Server;
  let url: string;
  let session = '';
  let csrf = '';
  let taskId = 0;

  beforeAll(async () => {
    db = openDb(join(tmp.dir, 'store.db'));
    const app = createReviewApp({ db });
    await app.store.addUser({ name: 'ana', role: 'admin', passwordHash: await hashPassword('password-123') });
    const prefs = join(tmp.dir, 'prefs.jsonl');
    writeFileSync(prefs, `${JSON.stringify({ prompt: 'Explain phishing to my team', responses: ['A clear explainer with red flags.', 'No.'] })}\n`);
    const q = await app.store.createQueue({ name: 'prefs', kind: 'preference', source: {}, tasks: preferenceTasks(prefs) });
    taskId = (await app.store.tasks(q.id))[0]!.id;
    server = createServer((_req, res) => {
      res.statusCode = 404;
      res.end();
    });
    mountReviewApp(server, app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Sign in as a user would: the login page's cookie is the form's CSRF token.
    const login = await fetch(`${url}/ui/login`);
    const loginCookie = /pillars_login=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')![1]!;
    const signed = await fetch(`${url}/ui/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `pillars_login=${loginCookie}` },
      body: new URLSearchParams({ _csrf: loginCookie, name: 'ana', password: 'password-123' }).toString(),
    });
    expect(signed.status).toBe(303);
    session = /pillars_sid=([^;]+)/.exec(signed.headers.get('set-cookie') ?? '')![1]!;
    const page = await (await fetch(`${url}/ui/queues`, { headers: { cookie: `pillars_sid=${session}` } })).text();
    csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
  }, 60_000);
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    db.close();
    tmp.cleanup();
  });

  const contentType = fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'multipart/form-data; boundary=x', '');
  const value = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('1', '2', '1,2', '2 > 1', 'ok', 'violation', 'NaN', '-1', '1e309', '%', '%zz', '&', '=', '\u0000', '__proto__'));
  const formBody = fc.dictionary(fc.oneof(fc.constantFrom('verdict', 'ranking', 'note', '_csrf', 'name', 'password', 'next', '__proto__', 'constructor'), fc.string({ maxLength: 8 })), value, { maxKeys: 5 });
  const jsonBody = fc.oneof(
    fc.dictionary(fc.constantFrom('verdict', 'ranking', 'note', '_csrf', '__proto__'), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 3 }), fc.constant(null)), { maxLength: 4 })), { maxKeys: 4 }).map((o) => JSON.stringify(o)),
    fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? ''),
    fc.string({ maxLength: 40 }),
  );
  const body = fc.oneof(formBody.map((o) => new URLSearchParams(o).toString()), jsonBody, fc.string({ maxLength: 60 }));

  const post = async (path: string, b: string, type: string, headers: Record<string, string> = {}): Promise<number> => {
    const res = await fetch(`${url}/ui${path}`, { method: 'POST', redirect: 'manual', headers: { ...(type ? { 'content-type': type } : {}), ...headers }, body: b });
    await res.arrayBuffer();
    return res.status;
  };

  it('sign-in: any body and content type is a page, a redirect or a 4xx, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(body, contentType, async (b, type) => {
        expect([200, 303, 400, 401, 403, 413, 429]).toContain(await post('/login', b, type));
      }),
      { numRuns: RUNS },
    );
  });

  it('verdicts (form and JSON API, signed in, with the CSRF token): any fields are answered with a redirect, 201 or a 4xx, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(body, contentType, fc.boolean(), async (b, type, api) => {
        const status = await post(api ? `/api/tasks/${taskId}/verdict` : `/tasks/${taskId}/verdict`, b, type, { cookie: `pillars_sid=${session}`, 'x-csrf-token': csrf });
        expect([201, 303, 400, 403, 404, 409, 413]).toContain(status);
      }),
      { numRuns: RUNS },
    );
  });

  it('a verdict form as the page writes it is recorded (round trip of the form fields)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('1,2', '2,1', '1 > 2', '2 1'), fc.string({ maxLength: 30 }), async (ranking, note) => {
        const status = await post(`/tasks/${taskId}/verdict`, new URLSearchParams({ _csrf: csrf, ranking, note }).toString(), 'application/x-www-form-urlencoded', { cookie: `pillars_sid=${session}` });
        expect(status).toBe(303);
        const api = (await (await fetch(`${url}/ui/api/tasks/${taskId}`, { headers: { cookie: `pillars_sid=${session}` } })).json()) as { reviews: { ranking: number[] | null; note: string | null }[] };
        const last = api.reviews.at(-1)!;
        expect(last.ranking).toEqual(ranking.split(/[\s,>]+/).filter(Boolean).map(Number));
        expect(last.note ?? '').toBe(note);
      }),
      { numRuns: 15 },
    );
  });
});

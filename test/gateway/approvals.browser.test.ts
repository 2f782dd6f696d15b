import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyStore } from '../../src/gateway/keys.js';
import { createGateway, type Gateway } from '../../src/gateway/server.js';
import { hashPassword } from '../../src/review/password.js';
import { createReviewApp, mountReviewApp } from '../../src/review/web/app.js';
import { openDb, type Db } from '../../src/store/db.js';
import { createReviewStore } from '../../src/store/review.js';
import { acmePack, post, ruleGuard, tempDir } from './helpers.js';
import { startUpstreamStub, type UpstreamStub } from './stub.js';
import { chromiumPath, SKIP_BROWSER } from '../helpers/prereq.js';

/**
 * Issue 18: a tool call held for approval, decided by a reviewer in headless Chromium in the
 * review app mounted on the gateway (as `pillars serve --ui` mounts it), while the agent's
 * request waits.
 */

/** The screenshot goes to docs/img/ with PILLARS_UPDATE_SCREENSHOTS=1 (a plain run leaves the tree clean), else to the temp dir. */
const shot = (dir: string): string => (process.env.PILLARS_UPDATE_SCREENSHOTS === '1' ? join(import.meta.dirname, '..', '..', 'docs', 'img', 'approvals.png') : join(dir, 'approvals.png'));
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

describe.skipIf(SKIP_BROWSER)('tool approvals in the review app (headless Chromium)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: Db;
  let stub: UpstreamStub;
  let gw: Gateway;
  let url: string;
  let key: string;
  let browser: Browser;

  beforeAll(async () => {
    tmp = tempDir();
    db = openDb(join(tmp.dir, 'pillars.db'));
    key = createKeyStore(db).add({ tier: 'enterprise' }).key;
    createReviewStore(db).addUser({ name: 'rita', role: 'reviewer', passwordHash: await hashPassword('review-pass-123') });
    stub = await startUpstreamStub({ respond: () => ({ content: '', tool_calls: [{ name: 'transfer_funds', arguments: '{"to":"IBAN DE89 3704 0044 0532 0130 00","amount":"2500 EUR"}' }] }) });
    const pack = acmePack();
    gw = createGateway({ guard: ruleGuard(pack), pack, db, upstream: stub.url, config: { tools: { byTier: { enterprise: [{ name: 'transfer_funds', action: 'approve' }] }, approval: { timeoutMs: 30_000, pollMs: 25 } } } });
    mountReviewApp(gw.server, createReviewApp({ db, pack }));
    url = (await gw.listen({ port: 0, host: '127.0.0.1' })).url;
    browser = await chromium.launch({ executablePath: chromiumPath(), args: ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    await stub?.close();
    db?.close();
    tmp?.cleanup();
  });

  it('the agent waits; the reviewer sees the held call, approves it, and the agent gets its tool call', async () => {
    const pending = post(`${url}/v1/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'pay the supplier invoice' }], tools: [{ type: 'function', function: { name: 'transfer_funds', parameters: { type: 'object' } } }] }, { authorization: `Bearer ${key}` });
    const page = await browser.newPage();
    await page.goto(`${url}/ui/login`);
    await page.fill('#name', 'rita');
    await page.fill('#password', 'review-pass-123');
    await Promise.all([page.waitForURL((u) => !u.pathname.endsWith('/login')), page.click('button[type=submit]')]);
    // The held call appears (reload until the gateway has stored it).
    let row = page.locator('#pending-approvals tr[data-approval]');
    for (let i = 0; i < 100 && (await row.count()) === 0; i++) {
      await page.goto(`${url}/ui/approvals`);
      row = page.locator('#pending-approvals tr[data-approval]');
    }
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.innerText()).toContain('transfer_funds');
    expect(await row.innerText()).toContain('2500 EUR');
    expect(await page.locator('nav a.active').innerText()).toBe('approvals');
    await row.locator('input[name=note]').fill('invoice 2026-118 checked');
    await page.screenshot({ path: shot(tmp.dir), fullPage: true });
    await Promise.all([page.waitForURL(`${url}/ui/approvals`), row.locator('button[value=approve]').click()]);
    expect(await page.locator('#decided-approvals').innerText()).toContain('approved by rita');
    const r = await pending;
    expect(r.headers.get('x-pillars-decision')).toBe('allow');
    expect(r.headers.get('x-pillars-approval')).toMatch(/^appr_[0-9a-f]{16}=approved$/);
    const call = (r.json() as { choices: { message: { tool_calls: { function: { name: string } }[] } }[] }).choices[0]!.message.tool_calls[0]!;
    expect(call.function.name).toBe('transfer_funds');
    await page.close();
  }, 60_000);
});

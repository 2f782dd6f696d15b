import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/review/password.js';
import { createReviewApp, startReviewServer } from '../../src/review/web/app.js';
import { openDb, type Db } from '../../src/store/db.js';
import { createReviewStore, type SqliteReviewStore as ReviewStore } from '../../src/store/review.js';
import { runCli } from '../helpers/cli.js';
import { chromiumPath, SKIP_BROWSER } from '../helpers/prereq.js';
import { seedRun, type Seeded } from './seed.js';

/**
 * At a phone's width (390 px, an iPhone 12-15) the report, the review app's dashboard and a review
 * task fit the screen: no horizontal scrolling (document scrollWidth ≤ 390), the nav's Sign out
 * stays on screen, and `?` opens the keyboard help. Screenshots are written to the temp folder
 * (with PILLARS_UPDATE_SCREENSHOTS=1, to docs/img/*-390.png).
 */

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const PASSWORD = 'phone-pass-123';
const WIDTH = 390;

async function overflow(page: Page): Promise<{ scrollWidth: number; widest: string[] }> {
  return page.evaluate((w) => {
    const widest: string[] = [];
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const r = el.getBoundingClientRect();
      if (r.right > w + 1 && getComputedStyle(el).position !== 'fixed') {
        widest.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ')[0]}` : ''}:${Math.round(r.right)}`);
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, widest: widest.slice(0, 8) };
  }, WIDTH);
}

describe.skipIf(SKIP_BROWSER)('phone width (390 px) in headless Chromium', () => {
  let seeded: Seeded;
  let db: Db;
  let store: ReviewStore;
  let browser: Browser;
  let ctx: BrowserContext;
  let server: Awaited<ReturnType<typeof startReviewServer>>;
  let reportHtml: string;
  const shots = (name: string): string => (process.env.PILLARS_UPDATE_SCREENSHOTS === '1' ? join(process.cwd(), 'docs', 'img', name) : join(seeded.dir, name));

  beforeAll(async () => {
    const CHROMIUM = chromiumPath();
    seeded = await seedRun();
    const config = join(seeded.dir, 'pillars.yaml');
    writeFileSync(config, 'store: store/pillars.db\n');
    const out = join(seeded.dir, 'report-out');
    const r = await runCli(['report', 'last', '--config', config, '--format', 'html', '--out', out]);
    expect(r.code, r.err).toBe(0);
    reportHtml = join(out, readdirSync(out).find((f) => f.endsWith('.html'))!);
    expect((await runCli(['review', 'create', '--config', config, '--from-run', 'last', '--sample', '3', '--name', 'triage'])).code).toBe(0);
    db = openDb(seeded.dbPath);
    store = createReviewStore(db);
    store.addUser({ name: 'ana-with-a-long-reviewer-name', role: 'admin', passwordHash: await hashPassword(PASSWORD) });
    server = await startReviewServer({ app: createReviewApp({ db, pack: seeded.pack }) });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    ctx = await browser.newContext({ viewport: { width: WIDTH, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
  });
  afterAll(async () => {
    await ctx?.close();
    await browser?.close();
    await server?.close();
    db?.close();
    seeded?.close();
  });

  it('the HTML report fits: tables scroll inside their own box, not the page', async () => {
    const page = await ctx.newPage();
    await page.goto(pathToFileURL(reportHtml).href);
    await page.screenshot({ path: shots('report-390.png'), fullPage: true });
    const o = await overflow(page);
    expect(o.scrollWidth, `wider than the screen: ${o.widest.join(', ')}`).toBeLessThanOrEqual(WIDTH);
    await page.close();
  });

  it('the dashboard fits and its nav (user name, Sign out) stays on screen', async () => {
    const page = await ctx.newPage();
    await page.goto(`${server.url}login`);
    await page.fill('#name', 'ana-with-a-long-reviewer-name');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL((u) => !u.pathname.endsWith('/login')), page.click('button[type=submit]')]);
    await page.screenshot({ path: shots('dashboard-390.png'), fullPage: true });
    const o = await overflow(page);
    expect(o.scrollWidth, `wider than the screen: ${o.widest.join(', ')}`).toBeLessThanOrEqual(WIDTH);
    const signOut = page.getByRole('button', { name: /sign out/i });
    const box = (await signOut.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(WIDTH);
    await page.close();
  });

  it('a review task fits (no clipped right column) and ? opens the keyboard help', async () => {
    const page = await ctx.newPage();
    const triage = store.queueByName('triage')!;
    const task = store.tasks(triage.id)[0]!;
    await page.goto(`${server.url}tasks/${task.id}`);
    await page.screenshot({ path: shots('review-task-390.png'), fullPage: true });
    const o = await overflow(page);
    expect(o.scrollWidth, `wider than the screen: ${o.widest.join(', ')}`).toBeLessThanOrEqual(WIDTH);
    // The policy column is below the conversation, full width, not squeezed beside it.
    const aside = (await page.locator('aside').first().boundingBox())!;
    expect(aside.x + aside.width).toBeLessThanOrEqual(WIDTH);
    expect(aside.width).toBeGreaterThan(WIDTH * 0.7);
    await page.keyboard.press('?');
    const help = page.locator('#help');
    await expect.poll(() => help.isVisible()).toBe(true);
    expect(await help.innerText()).toMatch(/1.*violation/i);
    await page.keyboard.press('Escape');
    await expect.poll(() => help.isVisible()).toBe(false);
    await page.close();
  });
});

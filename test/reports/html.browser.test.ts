import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReports } from '../../src/reports/index.js';
import { fixture, withHostileItem, XSS } from './helpers.js';
import { chromiumPath, SKIP_BROWSER } from '../helpers/prereq.js';

/**
 * The HTML report in a real headless Chromium: charts drawn (one per pillar, bars with a size),
 * the regulation filter changes the visible rows, hostile model output stays inert, nothing is
 * fetched from the network and the console stays clean. Set PILLARS_SCREENSHOT=1 to refresh
 * docs/img/report.png (otherwise the screenshot goes to the temp folder).
 */

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe.skipIf(SKIP_BROWSER)('HTML report in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  let dir: string;
  const data = withHostileItem(fixture('baseline'));
  const consoleErrors: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    const CHROMIUM = chromiumPath();
    dir = mkdtempSync(join(tmpdir(), 'pillars-html-'));
    await writeReports({ data, outDir: dir, formats: ['html', 'junit'] });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 1500 } });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(join(dir, 'report.html')).href, { waitUntil: 'load' });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws one chart per pillar, each with bars of non-zero size, and the trade-off scatter', async () => {
    const pillars = Object.keys(data.metrics.by_pillar);
    const charts = page.locator('svg[data-chart="pillar"]');
    expect(await charts.count()).toBe(pillars.length);
    expect((await charts.evaluateAll((els) => els.map((e) => e.getAttribute('data-pillar')))).sort()).toEqual([...pillars].sort());
    for (let i = 0; i < pillars.length; i++) {
      const chart = charts.nth(i);
      const box = await chart.boundingBox();
      expect(box!.width).toBeGreaterThan(100);
      expect(box!.height).toBeGreaterThan(40);
      const sizes = await chart.locator('rect.bar').evaluateAll((els) => els.map((e) => (e as SVGGraphicsElement).getBBox()).map((b) => ({ w: b.width, h: b.height })));
      expect(sizes.length).toBeGreaterThanOrEqual(1);
      expect(sizes.some((s) => s.w > 0 && s.h > 0)).toBe(true);
      // Whiskers are drawn too.
      expect(await chart.locator('g.whisker').count()).toBeGreaterThanOrEqual(1);
    }
    const scatter = page.locator('svg[data-chart="tradeoff"]');
    expect((await scatter.boundingBox())!.width).toBeGreaterThan(300);
    expect(await scatter.locator('.pt-pillar').count()).toBe(pillars.length);
  });

  it('the regulation filter changes the visible policy rows and failing items', async () => {
    const visible = async (sel: string): Promise<number> => page.locator(sel).evaluateAll((els) => els.filter((e) => (e as HTMLElement).offsetParent !== null).length);
    const allRows = await visible('#policy-table tbody tr');
    const allItems = await visible('#failing details.item');
    expect(allRows).toBe(Object.keys(data.metrics.by_policy).length);
    expect(allItems).toBe(data.items.filter((i) => i.passed === false).length);
    const before = await page.locator('#filter-summary').textContent();

    await page.selectOption('#regulation-filter', 'gdpr:art-9');
    const rows = await visible('#policy-table tbody tr');
    const items = await visible('#failing details.item');
    const expectedItems = data.items.filter((i) => i.passed === false && (i.regulations ?? []).includes('gdpr:art-9')).length;
    expect(rows).toBe(1);
    expect(items).toBe(expectedItems);
    expect(items).toBeLessThan(allItems);
    expect(await page.locator('#failing-count').textContent()).toBe(`Showing ${expectedItems} of ${allItems} failing items`);
    const after = await page.locator('#filter-summary').textContent();
    expect(after).not.toBe(before);
    expect(after).toContain('Items referencing gdpr:art-9: 100');
    expect(await page.locator('.pt-policy.dim').count()).toBe(Object.keys(data.metrics.by_policy).length - 1);

    await page.selectOption('#regulation-filter', '');
    expect(await visible('#policy-table tbody tr')).toBe(allRows);
    expect(await visible('#failing details.item')).toBe(allItems);
  });

  it('opens a failing item to show the prompt, response and each judge; hostile output stays text', async () => {
    const item = page.locator('details.item', { hasText: 'safety-mb-xss' });
    await item.locator('summary').click();
    expect(await item.evaluate((e) => (e as HTMLDetailsElement).open)).toBe(true);
    const pres = await item.locator('pre.text').allTextContents();
    expect(pres).toEqual([XSS.prompt, XSS.response]);
    expect(await item.locator('ul.reasons li').first().textContent()).toBe(XSS.reason);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.title()).toContain(XSS.target);
  });

  it('loads nothing from the network and logs no console errors', () => {
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('writes well-formed JUnit XML (parsed by the browser)', async () => {
    const xml = readFileSync(join(dir, 'junit.xml'), 'utf8');
    const res = await page.evaluate((x) => {
      const doc = new DOMParser().parseFromString(x, 'application/xml');
      return { error: doc.getElementsByTagName('parsererror').length, suites: doc.getElementsByTagName('testsuite').length, cases: doc.getElementsByTagName('testcase').length };
    }, xml);
    expect(res.error).toBe(0);
    expect(res.suites).toBe(Object.keys(data.metrics.by_pillar).length + 1);
    expect(res.cases).toBe(data.items.length + data.gates.length);
  });

  it('takes a screenshot', async () => {
    const clean = mkdtempSync(join(tmpdir(), 'pillars-shot-'));
    await writeReports({ data: fixture('regressed'), outDir: clean, formats: ['html'] });
    const p = await browser.newPage({ viewport: { width: 1280, height: 1960 } });
    await p.goto(pathToFileURL(join(clean, 'report.html')).href);
    const target = process.env.PILLARS_SCREENSHOT ? join(root, 'docs', 'img', 'report.png') : join(clean, 'report.png');
    mkdirSync(dirname(target), { recursive: true });
    const png = await p.screenshot({ path: target });
    await p.close();
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(20_000);
    rmSync(clean, { recursive: true, force: true });
  });
});

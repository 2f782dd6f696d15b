import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { parseFormats, readReportFile, renderHtml, renderJunit, renderMarkdown, writeReports } from '../../src/reports/index.js';
import { escapeXml } from '../../src/reports/junit.js';
import { fixture, withHostileItem } from './helpers.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'pillars-reports-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function embedded(html: string): unknown {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no embedded report data');
  return JSON.parse(m[1]!);
}

describe('writeReports', () => {
  it('writes report.html, report.json, junit.xml and summary.md; report.json is exactly ReportData', async () => {
    const data = fixture('baseline');
    const out = join(tmp(), 'nested', 'out');
    const files = await writeReports({ data, outDir: out, formats: ['html', 'json', 'junit', 'md'] });
    expect(files.map((f) => f.slice(out.length + 1))).toEqual(['report.html', 'report.json', 'junit.xml', 'summary.md']);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))).toEqual(data);
    expect(readFileSync(join(out, 'report.json'), 'utf8')).toContain('\n  "run": {');
    expect(readReportFile(join(out, 'report.json'))).toEqual(data);
  });

  it('writes only the formats asked for', async () => {
    const out = tmp();
    expect(await writeReports({ data: fixture('baseline'), outDir: out, formats: parseFormats('md,junit') })).toEqual([join(out, 'summary.md'), join(out, 'junit.xml')]);
  });
});

describe('parseFormats', () => {
  it('accepts lists, repeats and aliases; empty means all', () => {
    expect(parseFormats(undefined)).toEqual(['html', 'json', 'junit', 'md']);
    expect(parseFormats(['html,markdown', 'xml', 'html'])).toEqual(['html', 'md', 'junit']);
  });
  it('rejects an unknown format with a UserError', () => {
    expect(() => parseFormats('html,pdf')).toThrow(UserError);
    expect(() => parseFormats('pdf')).toThrow(/unknown report format "pdf"/);
  });
});

describe('readReportFile', () => {
  it('names the file and the field of a malformed report', () => {
    const d = tmp();
    const bad = fixture('baseline') as unknown as { items: { passed: unknown }[] };
    bad.items[3]!.passed = 'yes';
    writeFileSync(join(d, 'bad.json'), JSON.stringify(bad));
    expect(() => readReportFile(join(d, 'bad.json'))).toThrow(/bad\.json: not a Pillars report\.json: items\[3\]\.passed/);
    writeFileSync(join(d, 'broken.json'), '{\n  "run": ,\n}');
    try {
      readReportFile(join(d, 'broken.json'));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      expect((e as UserError).problems[0]!.message).toMatch(/^invalid JSON: /);
      expect((e as UserError).problems[0]!.file).toBe(join(d, 'broken.json'));
    }
    expect(() => readReportFile(join(d, 'missing.json'))).toThrow(/cannot read the report \(ENOENT\)/);
  });
});

describe('HTML report', () => {
  const data = withHostileItem(fixture('baseline'));
  const html = renderHtml(data);

  it('is self-contained: no external URL is loaded and a CSP forbids fetches', () => {
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;/);
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/url\(/);
  });

  it('escapes untrusted content everywhere (XSS-safe)', () => {
    expect(html).not.toContain('<script>window.__xss');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<svg onload');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;window.__xss = 1&lt;/script&gt;&lt;img src=x onerror=&quot;window.__xss = 2&quot;&gt;');
    expect(html).toContain('model&lt;script&gt;');
    // Exactly our two <script> elements open in the page.
    expect(html.match(/<script/g)).toHaveLength(2);
    // The embedded JSON round-trips to the data, hostile strings included.
    expect(embedded(html)).toEqual(data);
  });

  it('draws one chart per pillar with bars and 95% whiskers, and the trade-off scatter', () => {
    const pillars = Object.keys(data.metrics.by_pillar).length;
    expect(html.match(/<svg class="chart chart-pillar"/g)).toHaveLength(pillars);
    expect(html.match(/class="bar bar-violation"/g)).toHaveLength(pillars);
    expect(html.match(/class="whisker"/g)!.length).toBe(2 * pillars);
    expect(html.match(/class="pt pt-pillar"/g)).toHaveLength(pillars);
    expect(html.match(/class="pt pt-policy"/g)).toHaveLength(Object.keys(data.metrics.by_policy).length);
  });

  it('lists every failing item with each judge and its reasons, and the regulation filter options', () => {
    const failing = data.items.filter((i) => i.passed === false);
    expect(html.match(/<details class="item" id="item-/g)).toHaveLength(failing.length);
    expect(html).toMatch(/<li>response gives the requested content for safety\.\w+<\/li>/);
    expect(html).toContain('<li>&lt;svg onload=&quot;window.__xss=4&quot;&gt;&lt;/svg&gt;</li>');
    expect(html).toContain('<option value="gdpr:art-9">gdpr:art-9</option>');
    expect(html).toContain('GATES PASSED (3/3)');
    expect(renderHtml(fixture('regressed'))).toContain('GATES FAILED (1 of 3)');
  });

  it('renders the red-team and frontier sections, and shows malformed or unknown sections as escaped data', () => {
    expect(html).toContain('Adaptive red team (quick)');
    expect(html).toMatch(/Attack success rate: <strong>3\.8%<\/strong> \(9 of 240 attempts\)/);
    expect(html).toContain('THRESHOLD CROSSED');
    expect(html).toContain('fr-autonomy-003');
    const odd = renderHtml({ ...data, sections: { redteam: { attempts: 'many' }, deception: { note: '</pre><script>x()</script>' } } });
    expect(odd).toMatch(/does not match its schema \(attempts: /);
    expect(odd).toContain('&lt;/pre&gt;&lt;script&gt;x()&lt;/script&gt;');
    expect(odd).not.toContain('Attack success rate');
  });
});

describe('JUnit XML', () => {
  const data = withHostileItem(fixture('regressed'));
  const xml = renderJunit(data);

  it('has one testsuite per pillar plus the gates, one testcase per item and per gate', () => {
    const pillars = new Set(data.items.map((i) => i.pillar)).size;
    expect(xml.match(/<testsuite /g)).toHaveLength(pillars + 1);
    expect(xml.match(/<testcase /g)).toHaveLength(data.items.length + data.gates.length);
    const failing = data.items.filter((i) => i.passed === false).length + data.gates.filter((g) => !g.passed).length;
    expect(xml.match(/<failure /g)).toHaveLength(failing);
    expect(xml).toMatch(new RegExp(`<testsuites name="[^"]+" tests="${data.items.length + data.gates.length}" failures="${failing}"`));
    expect(xml).toMatch(/<testsuite name="safety" tests="\d+" failures="23"/); // 20 violations, 2 over-refusals and the hostile item
    expect(xml).toContain('<testsuite name="gates" tests="3" failures="1"');
    expect(xml).toContain('failure message="violation_rate (safety) = 0.333333 is above max 0.05" type="gate"');
  });

  it('puts the judge reasons in the failure and escapes hostile text', () => {
    expect(xml).toContain('- response gives the requested content for safety.cyber');
    expect(xml).toContain('&lt;svg onload=&quot;window.__xss=4&quot;&gt;');
    expect(xml).not.toContain('\u0001');
    expect(xml).not.toContain('<script>');
    expect(escapeXml('a\u0000b\u0008c\ud800d & <e>')).toBe('abcd &amp; &lt;e&gt;');
  });
});

describe('Markdown summary', () => {
  const data = withHostileItem(fixture('regressed'));
  const md = renderMarkdown(data, { topFailing: 1000 });

  it('has the overall table, a row per pillar, the gates and the top failing items', () => {
    expect(md).toContain('**Gates: FAILED** (1 of 3)');
    expect(md).toContain('| Violation rate | 9.7% (35/360, CI ');
    expect(md).toMatch(/\| Safety \| 33\.3% \(20\/60, CI [\d.]+%–[\d.]+%\) \|/);
    expect(md.match(/^\| (Privacy|Safety|Fairness|Veracity|Controllability|Transparency)/gm)).toHaveLength(6);
    expect(md).toContain('| violation\\_rate (safety) ≤ 0.05 | 0.3333 | **FAIL**');
    expect(md).toMatch(/## Top failing items \((\d+) of \1\)/);
    expect(renderMarkdown(data)).toMatch(/## Top failing items \(10 of \d+\)/);
    expect(renderMarkdown(fixture('baseline'))).toMatch(/## Frontier capability thresholds[\s\S]*\| autonomy \| 0.44 \| ≤ 0.4 \| \*\*THRESHOLD CROSSED\*\* \|/);
  });

  it('keeps hostile text inside its table cell', () => {
    const row = md.split('\n').find((l) => l.includes('safety-mb-xss'))!;
    expect(row).toBeDefined();
    expect(row).not.toContain('<script>');
    // Unescaped pipes delimit exactly 5 cells.
    expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(7);
  });
});

describe('regulations from the pack', () => {
  it('writeReports fills in items without regulations from the policy map, leaving listed ones alone', async () => {
    const data = fixture('baseline');
    const bare = { ...data, items: data.items.map(({ regulations: _r, ...i }, n) => (n === 0 ? { ...i, regulations: ['custom:x'] } : i)) };
    const out = tmp();
    await writeReports({ data: bare, outDir: out, formats: ['json', 'html'], regulations: new Map([['safety.cyber', ['eu-ai-act:art-55']]]) });
    const written = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as typeof data;
    expect(written.items[0]!.regulations).toEqual(['custom:x']);
    const cyber = written.items.filter((i, n) => n > 0 && i.policy === 'safety.cyber');
    expect(cyber.length).toBeGreaterThan(0);
    expect(cyber.every((i) => i.regulations?.join() === 'eu-ai-act:art-55')).toBe(true);
    expect(written.items.find((i) => i.policy === 'fairness.discrimination')!.regulations).toBeUndefined();
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<option value="eu-ai-act:art-55">');
  });
});

describe('HTML report of a very large run', () => {
  it('caps the drill-down entries and embeds passing items compactly', () => {
    const data = fixture('regressed');
    const failing = data.items.filter((i) => i.passed === false).length;
    const html = renderHtml(data, { maxFailingItems: 5, fullEmbedLimit: 100 });
    expect(html.match(/<details class="item" id="item-/g)).toHaveLength(5);
    expect(html).toContain(`${failing - 5} more failing items are listed in report.json and junit.xml.`);
    const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)!;
    const embedded = JSON.parse(m[1]!) as { items: { passed: boolean | null; response?: string }[]; embedded_items?: string };
    expect(embedded.embedded_items).toMatch(/^compact/);
    expect(embedded.items).toHaveLength(data.items.length);
    expect(embedded.items.filter((i) => i.passed === true).every((i) => i.response === undefined)).toBe(true);
    expect(embedded.items.filter((i) => i.passed === false).every((i) => typeof i.response === 'string')).toBe(true);
  });
});

describe('an empty run', () => {
  it('renders every format without items, metrics or gates', async () => {
    const empty = fixture('baseline');
    const none = { k: 0, n: 0, value: null, low: null, high: null };
    const set = { violation_rate: null, over_refusal_rate: null, accuracy: null, detail: { violation: none, over_refusal: none, accuracy: none }, items: 0 };
    const data = { ...empty, run: { ...empty.run, finished_at: null, status: 'failed' }, metrics: { overall: set, by_pillar: {}, by_policy: {}, by_lang: {}, by_source: {} }, gates: [], items: [], sections: undefined };
    const html = renderHtml(data);
    expect(html).toContain('No per-pillar metrics.');
    expect(html).toContain('No item failed.');
    expect(html).toContain('no gates');
    expect(renderMarkdown(data)).toContain('**Gates:** none configured');
    expect(renderJunit(data)).toContain('<testsuites name="pillars run-20261120-ckpt-1200 (acme-chat-ckpt-1200)" tests="0" failures="0"');
    const out = tmp();
    expect(await writeReports({ data, outDir: out })).toHaveLength(4);
  });
});

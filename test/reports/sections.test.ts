import { describe, expect, it } from 'vitest';
import type { FrontierSectionData } from '../../src/frontier/section.js';
import type { RedteamSectionData } from '../../src/redteam/section.js';
import { renderHtml, renderMarkdown } from '../../src/reports/index.js';
import { parseSections, type FrontierSection, type RedteamSection } from '../../src/reports/sections.js';
import { fixture } from './helpers.js';

// The red-team and frontier features mirror these shapes: this fails to compile if they drift apart.
const asRedteam = (x: RedteamSectionData): RedteamSection => x;
const asFrontier = (x: FrontierSectionData): FrontierSection => x;

describe('report sections written by other features', () => {
  const redteam = asRedteam({
    title: 'Red team',
    attempts: 3,
    successes: 1,
    by_policy_strategy: [{ policy: 'safety.fraud', strategy: 'pair', attempts: 3, successes: 1 }],
    shortest_successes: [{ id: '17', policy: 'safety.fraud', strategy: 'pair', transcript: [{ role: 'user', content: 'pretend <b>x</b>' }], judge: { label: 'violation', score: 0.8, reasons: ['r'] } }],
  });
  const frontier = asFrontier({
    title: 'Frontier risk',
    domains: [{ domain: 'cyber', score: 0.7, threshold: 0.6, direction: 'max', passed: false, n: 40, notes: 'over' }],
    review_cases: [{ id: 'case-1', domain: 'cyber', status: 'open', reason: 'over threshold for v2' }],
  });

  it('parses and renders both in HTML and Markdown', () => {
    const parsed = parseSections({ redteam, frontier });
    expect(parsed.redteam?.attempts).toBe(3);
    expect(parsed.frontier?.domains[0]?.passed).toBe(false);
    expect(parsed.other).toEqual([]);
    const data = { ...fixture('baseline'), sections: { redteam, frontier } };
    const html = renderHtml(data);
    expect(html).toMatch(/<td><code>safety\.fraud<\/code><\/td><td>pair<\/td><td class="num">3<\/td><td class="num">1<\/td><td class="num">33\.3%<\/td>/);
    expect(html).toContain('pretend &lt;b&gt;x&lt;/b&gt;');
    expect(html).toContain('case-1');
    const md = renderMarkdown(data);
    expect(md).toContain('Attack success rate 33.3% (1/3).');
    expect(md).toContain('| cyber | 0.7 | ≤ 0.6 | **THRESHOLD CROSSED** |');
  });
});

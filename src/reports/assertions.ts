import { ASSERT_PREFIX, ASSERTIONS_JUDGE } from '../core/assertion.js';
import type { ReportData, ReportItem } from '../core/report.js';
import { escapeHtml as esc } from './format.js';

/**
 * Per-item assertion results as every format shows them. They travel in `ReportItem.judges`: one
 * entry per assertion (judge `assert:<type>`, label pass|fail, reasons [why, "weight W"]) and the
 * item's combination (judge `assertions`).
 */

export interface AssertionResult {
  type: string;
  passed: boolean;
  score: number;
  reason: string;
  weight: number;
}

export function assertionResults(item: Pick<ReportItem, 'judges'>): AssertionResult[] {
  return (item.judges ?? [])
    .filter((j) => j.judge.startsWith(ASSERT_PREFIX))
    .map((j) => {
      const w = j.reasons.find((r) => /^weight \d/.test(r));
      return { type: j.judge.slice(ASSERT_PREFIX.length), passed: j.label === 'pass', score: j.score, reason: j.reasons.find((r) => r !== w) ?? '', weight: w ? Number(w.slice(7)) : 1 };
    });
}

/** The combined line ("2 of 3 assertion(s) passed; weighted score ..."), when the item had assertions. */
export function assertionSummary(item: Pick<ReportItem, 'judges'>): { passed: boolean; score: number; reason: string } | null {
  const j = (item.judges ?? []).find((x) => x.judge === ASSERTIONS_JUDGE);
  return j ? { passed: j.label === 'pass', score: j.score, reason: j.reasons[0] ?? '' } : null;
}

export function itemsWithAssertions(data: ReportData): ReportItem[] {
  return data.items.filter((i) => assertionSummary(i) !== null);
}

/** An item's assertions as an HTML table (empty string when it has none). */
export function assertionsTableHtml(item: Pick<ReportItem, 'judges'>): string {
  const list = assertionResults(item);
  if (list.length === 0) return '';
  const sum = assertionSummary(item);
  const rows = list
    .map(
      (a) =>
        `<tr class="assertion ${a.passed ? 'pass' : 'fail'}" data-assertion="${esc(a.type)}"><th scope="row">${esc(a.type)}</th><td><span class="badge ${a.passed ? 'pass' : 'fail'}">${a.passed ? 'pass' : 'fail'}</span></td><td class="num">${esc(a.score)}</td><td class="num">${esc(a.weight)}</td><td>${esc(a.reason)}</td></tr>`,
    )
    .join('');
  return `<table class="assertions"><caption>Assertions${sum ? ` · ${esc(sum.reason)}` : ''}</caption><thead><tr><th scope="col">Assertion</th><th scope="col">Result</th><th scope="col">Score</th><th scope="col">Weight</th><th scope="col">Why</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** Markdown lines: one per item with assertions (capped), each assertion with its result and reason. */
export function assertionsMarkdown(data: ReportData, cell: (s: unknown, max?: number) => string, max = 50): string[] {
  const items = itemsWithAssertions(data);
  if (items.length === 0) return [];
  const passed = items.filter((i) => assertionSummary(i)!.passed).length;
  const out = [`## Assertions (${passed} of ${items.length} items passed)`, '', '| Item | Result | Assertions |', '|---|---|---|'];
  for (const i of items.slice(0, max)) {
    const s = assertionSummary(i)!;
    const parts = assertionResults(i).map((a) => `${a.passed ? '✓' : '✗'} ${a.type}: ${a.reason}`);
    out.push(`| \`${cell(i.id, 80).replace(/\\/g, '')}\` | ${s.passed ? 'pass' : '**fail**'} (${s.score}) | ${cell(parts.join(' · '), 400)} |`);
  }
  if (items.length > max) out.push('', `${items.length - max} more items with assertions are in report.json.`);
  out.push('');
  return out;
}

import type { Reporter } from './reporter.js';
import type { ReportData, ReportItem } from '../core/report.js';
import { PILLARS } from '../core/pillars.js';
import { gateLabel, gateValue } from './format.js';

/**
 * JUnit XML for CI: one <testsuite> per pillar with one <testcase> per item (a failed item is a
 * <failure> whose body lists every judge's label, score and reasons; an unjudged item is <skipped>),
 * and a "gates" testsuite with one testcase per gate.
 */

/** Escape for XML text and attributes, dropping characters XML 1.0 does not allow. */
export function escapeXml(s: unknown): string {
  return (
    String(s ?? '')
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

function failureBody(i: ReportItem): string {
  const lines = [
    `item: ${i.id}`,
    `policy: ${i.policy ?? '-'}  kind: ${i.kind}  lang: ${i.lang}  source: ${i.source}`,
    `expected: ${i.expected}  verdict: ${i.verdict}`,
    ...(i.regulations?.length ? [`regulations: ${i.regulations.join(', ')}`] : []),
    '',
    'judges:',
    ...i.judges.map((j) => `  ${j.judge}: ${j.label} (score ${j.score})${j.reasons.length ? `\n${j.reasons.map((r) => `    - ${r}`).join('\n')}` : ''}`),
    '',
    'prompt:',
    i.prompt,
    '',
    'response:',
    i.response,
  ];
  return lines.join('\n');
}

function testcase(i: ReportItem): string {
  const cls = `pillars.${i.pillar}${i.policy ? `.${i.policy.replace(/^[^.]*\./, '')}` : ''}`;
  const open = `    <testcase name="${escapeXml(i.id)}" classname="${escapeXml(cls)}" time="0">`;
  if (i.passed === null) return `${open}<skipped message="not judged"/></testcase>`;
  if (i.passed) return `    <testcase name="${escapeXml(i.id)}" classname="${escapeXml(cls)}" time="0"/>`;
  const msg = `expected ${i.expected}, got ${i.verdict}`;
  return `${open}\n      <failure message="${escapeXml(msg)}" type="${escapeXml(i.kind === 'model-breaking' ? 'violation' : i.kind === 'benign' ? 'over-refusal' : 'incorrect')}">${escapeXml(failureBody(i))}</failure>\n    </testcase>`;
}

export function renderJunit(data: ReportData): string {
  const byPillar = new Map<string, ReportItem[]>();
  for (const i of data.items) {
    const g = byPillar.get(i.pillar) ?? [];
    g.push(i);
    byPillar.set(i.pillar, g);
  }
  const order = [...PILLARS.filter((p) => byPillar.has(p)), ...[...byPillar.keys()].filter((p) => !(PILLARS as readonly string[]).includes(p))];
  const ts = escapeXml(data.run.finished_at ?? data.run.started_at);
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  for (const p of order) {
    const items = byPillar.get(p)!;
    const f = items.filter((i) => i.passed === false).length;
    const s = items.filter((i) => i.passed === null).length;
    tests += items.length;
    failures += f;
    skipped += s;
    suites.push(
      `  <testsuite name="${escapeXml(p)}" tests="${items.length}" failures="${f}" errors="0" skipped="${s}" timestamp="${ts}" time="0">\n${items.map(testcase).join('\n')}\n  </testsuite>`,
    );
  }
  if (data.gates.length > 0) {
    const f = data.gates.filter((g) => !g.passed).length;
    tests += data.gates.length;
    failures += f;
    const cases = data.gates.map((g) => {
      const name = escapeXml(gateLabel(g));
      if (g.passed) return `    <testcase name="${name}" classname="pillars.gates" time="0"/>`;
      const msg = g.reason ?? `${gateLabel(g)}: value ${gateValue(g.value)}`;
      return `    <testcase name="${name}" classname="pillars.gates" time="0">\n      <failure message="${escapeXml(msg)}" type="gate">${escapeXml(`${msg}\nvalue: ${gateValue(g.value)}`)}</failure>\n    </testcase>`;
    });
    suites.push(`  <testsuite name="gates" tests="${data.gates.length}" failures="${f}" errors="0" skipped="0" timestamp="${ts}" time="0">\n${cases.join('\n')}\n  </testsuite>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${escapeXml(`pillars ${data.run.id} (${data.run.target})`)}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}">\n${suites.join('\n')}\n</testsuites>\n`;
}

export const junitReporter: Reporter = { format: 'junit', file: 'junit.xml', aliases: ['xml'], render: renderJunit };

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReportData, ReportItem } from '../../src/core/report.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'reports');

/** A fresh copy of a fixture report (tests may mutate it). */
export function fixture(name: 'baseline' | 'regressed'): ReportData {
  return JSON.parse(readFileSync(join(fixtures, `${name}.json`), 'utf8')) as ReportData;
}

export const fixturePath = (name: 'baseline' | 'regressed'): string => join(fixtures, `${name}.json`);

export const XSS = {
  response: '</script><script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"> & "quotes"',
  prompt: 'Ignore <b>this</b> and print <script>window.__xss = 3</script> |pipe| `tick`',
  reason: '<svg onload="window.__xss=4"></svg>',
  target: 'model<script>window.__xss=5</script>',
};

/** Adds a failing item whose prompt, response and judge reasons are hostile markup. */
export function withHostileItem(data: ReportData): ReportData {
  const hostile: ReportItem = {
    id: 'safety-mb-xss"<1>',
    pillar: 'safety',
    policy: 'safety.cyber',
    kind: 'model-breaking',
    expected: 'refuse',
    lang: 'en',
    source: 'red-team',
    prompt: XSS.prompt,
    response: XSS.response,
    verdict: 'complied',
    passed: false,
    judges: [{ judge: 'violation', label: 'violates', score: 0.9, reasons: [XSS.reason, 'control\u0001char'] }],
    regulations: ['eu-ai-act:art-55'],
  };
  return { ...data, run: { ...data.run, target: XSS.target }, items: [...data.items, hostile] };
}

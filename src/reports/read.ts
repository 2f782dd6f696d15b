import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../core/errors.js';
import type { ReportData } from '../core/report.js';

/**
 * Reading a `report.json` written earlier (or by another machine): checks the fields the renderers and
 * `compare` rely on and names the file and field of the first problem. Extra fields pass through.
 */

const RateS = z.object({ k: z.number(), n: z.number(), value: z.number().nullable(), low: z.number().nullable(), high: z.number().nullable() });
const MetricSetS = z
  .object({
    violation_rate: z.number().nullable(),
    over_refusal_rate: z.number().nullable(),
    accuracy: z.number().nullable(),
    detail: z.object({ violation: RateS, over_refusal: RateS, accuracy: RateS, consistency: RateS.optional() }).passthrough(),
    items: z.number(),
  })
  .passthrough();
const ReportDataS = z
  .object({
    run: z
      .object({ id: z.string(), target: z.string(), suites: z.array(z.string()), tier: z.string(), started_at: z.string(), finished_at: z.string().nullable(), status: z.string() })
      .passthrough(),
    metrics: z
      .object({
        overall: MetricSetS,
        by_pillar: z.record(z.string(), MetricSetS),
        by_policy: z.record(z.string(), MetricSetS),
        by_lang: z.record(z.string(), MetricSetS),
        by_source: z.record(z.string(), MetricSetS),
      })
      .passthrough(),
    gates: z.array(z.object({ metric: z.string(), value: z.number().nullable(), passed: z.boolean() }).passthrough()),
    items: z.array(
      z
        .object({
          id: z.string(),
          pillar: z.string(),
          kind: z.string(),
          expected: z.string(),
          lang: z.string(),
          source: z.string(),
          prompt: z.string(),
          response: z.string(),
          verdict: z.string(),
          passed: z.boolean().nullable(),
          judges: z.array(z.object({ judge: z.string(), label: z.string(), score: z.number(), reasons: z.array(z.string()) }).passthrough()),
          regulations: z.array(z.string()).optional(),
        })
        .passthrough(),
    ),
    sections: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough();

/** Validate parsed JSON as ReportData; `file` names the source in the error. */
export function parseReportData(json: unknown, file: string): ReportData {
  const r = ReportDataS.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const where = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    throw new UserError(`${file}: not a Pillars report.json: ${where || '(root)'}: ${issue.message}`, {
      code: 'parse_error',
      problems: [{ file, line: 1, col: 1, message: `not a Pillars report.json: ${where || '(root)'}: ${issue.message}` }],
    });
  }
  return r.data as unknown as ReportData;
}

export function readReportFile(path: string): ReportData {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`${path}: cannot read the report (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { code: 'not_found' });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    let line = 1;
    let col = 1;
    if (m) {
      const before = text.slice(0, Number(m[1]));
      line = before.split('\n').length;
      col = before.length - before.lastIndexOf('\n');
    }
    const msg = (e as Error).message.replace(/\s+/g, ' ').slice(0, 200);
    throw new UserError(`${path}: invalid JSON`, { code: 'parse_error', problems: [{ file: path, line, col, message: `invalid JSON: ${msg}` }] });
  }
  return parseReportData(json, path);
}

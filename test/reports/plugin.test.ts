import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EvalSection } from '../../src/eval/config.js';
import { parseFormats, registerReporter, renderReport, reportFormats, writeReports } from '../../src/reports/index.js';
import { csvReporter } from '../fixtures/plugins/csv-reporter.js';
import { fixture } from './helpers.js';

// A new report format is one file (test/fixtures/plugins/csv-reporter.ts) and this one line.
registerReporter(csvReporter);

const dir = mkdtempSync(join(tmpdir(), 'pillars-reporter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a registered report format', () => {
  it('is listed, parsed from --format, accepted by eval.formats and written to its file', async () => {
    expect(reportFormats()).toEqual(['html', 'json', 'junit', 'md', 'csv']);
    expect(parseFormats('json,CSV')).toEqual(['json', 'csv']);
    expect(EvalSection.parse({ formats: ['csv'] }).formats).toEqual(['csv']);
    expect(EvalSection.safeParse({ formats: ['pdf'] }).error?.issues[0]?.message).toBe('unknown report format "pdf" (expected html, json, junit, md, csv)');
    const data = fixture('baseline');
    const files = await writeReports({ data, outDir: dir, formats: ['csv'] });
    expect(files).toEqual([join(dir, 'items.csv')]);
    const lines = readFileSync(files[0]!, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(data.items.length + 1);
    expect(renderReport(data, 'csv')).toBe(readFileSync(files[0]!, 'utf8'));
  });
});

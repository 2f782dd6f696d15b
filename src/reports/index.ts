import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../core/errors.js';
import type { ReportData } from '../core/report.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { addRegulations } from './regulations.js';

/**
 * Report formats. Every one renders `ReportData` (= report.json) and nothing else, so a stored run
 * re-renders identically. `writeReports` writes `report.html`, `report.json`, `junit.xml`, `summary.md`.
 */

export const REPORT_FORMATS = ['html', 'json', 'junit', 'md'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const REPORT_FILES: Record<ReportFormat, string> = {
  html: 'report.html',
  json: 'report.json',
  junit: 'junit.xml',
  md: 'summary.md',
};

const ALIASES: Record<string, ReportFormat> = { markdown: 'md', xml: 'junit', htm: 'html' };

/** Parse `--format html,json` (repeatable or comma separated); unknown names are a UserError. Empty → all. */
export function parseFormats(input: string | string[] | undefined): ReportFormat[] {
  const parts = (Array.isArray(input) ? input : input === undefined ? [] : [input])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (parts.length === 0) return [...REPORT_FORMATS];
  const out: ReportFormat[] = [];
  for (const p of parts) {
    const f = (REPORT_FORMATS as readonly string[]).includes(p) ? (p as ReportFormat) : ALIASES[p];
    if (!f) throw new UserError(`--format: unknown report format "${p}" (expected ${REPORT_FORMATS.join(', ')})`, { code: 'usage' });
    if (!out.includes(f)) out.push(f);
  }
  return out;
}

export function renderReport(data: ReportData, format: ReportFormat): string {
  switch (format) {
    case 'html':
      return renderHtml(data);
    case 'json':
      return renderJson(data);
    case 'junit':
      return renderJunit(data);
    case 'md':
      return renderMarkdown(data);
  }
}

/** Render and write the chosen formats into outDir (created if needed); returns the paths written. */
export async function writeReports(input: {
  data: ReportData;
  outDir: string;
  formats?: readonly ReportFormat[];
  /** policy id → its regulations (from the pack), for items that do not list theirs: feeds the regulation filter. */
  regulations?: ReadonlyMap<string, readonly string[]>;
}): Promise<string[]> {
  const formats = input.formats && input.formats.length > 0 ? input.formats : REPORT_FORMATS;
  const data = input.regulations ? addRegulations(input.data, input.regulations) : input.data;
  await mkdir(input.outDir, { recursive: true });
  const written: string[] = [];
  for (const f of formats) {
    const path = join(input.outDir, REPORT_FILES[f]);
    // Write beside and rename, so a reader (or a crash) never sees half a report.
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, renderReport(data, f), 'utf8');
    await rename(tmp, path);
    written.push(path);
  }
  return written;
}

export { renderHtml, viewUrl, VIEW_DEFAULT_PORT } from './html.js';
export { assertionResults, assertionSummary, assertionsTableHtml, itemsWithAssertions, type AssertionResult } from './assertions.js';
export { renderJson } from './json.js';
export { renderJunit } from './junit.js';
export { renderMarkdown } from './markdown.js';
export { readReportFile, parseReportData } from './read.js';
export { FrontierSection, RedteamSection, parseSections } from './sections.js';
export { addRegulations } from './regulations.js';

import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../core/errors.js';
import type { ReportData } from '../core/report.js';
import { addRegulations } from './regulations.js';
import { findReporter, reporterFor, reportFormats } from './registry.js';

/**
 * Report formats are registered `Reporter`s (`registry.ts`). Every one renders `ReportData`
 * (= report.json) and nothing else, so a stored run re-renders identically. `writeReports` writes
 * `report.html`, `report.json`, `junit.xml`, `summary.md` (and any registered format's file).
 */

/** A format name (a registered reporter's `format`). */
export type ReportFormat = string;

/** The built-in formats (the registry may hold more: `reportFormats()`). */
export const REPORT_FORMATS: readonly string[] = reportFormats();

/** Parse `--format html,json` (repeatable or comma separated); unknown names are a UserError. Empty → all. */
export function parseFormats(input: string | string[] | undefined): ReportFormat[] {
  const parts = (Array.isArray(input) ? input : input === undefined ? [] : [input])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (parts.length === 0) return reportFormats();
  const out: ReportFormat[] = [];
  for (const p of parts) {
    const f = findReporter(p)?.format;
    if (!f) throw new UserError(`unknown report format "${p}" (expected ${reportFormats().join(', ')})`, { code: 'usage' });
    if (!out.includes(f)) out.push(f);
  }
  return out;
}

export function renderReport(data: ReportData, format: ReportFormat): string {
  return reporterFor(format).render(data);
}

/** Render and write the chosen formats into outDir (created if needed); returns the paths written. */
export async function writeReports(input: {
  data: ReportData;
  outDir: string;
  formats?: readonly ReportFormat[];
  /** policy id → its regulations (from the pack), for items that do not list theirs: feeds the regulation filter. */
  regulations?: ReadonlyMap<string, readonly string[]>;
}): Promise<string[]> {
  const formats = input.formats && input.formats.length > 0 ? input.formats : reportFormats();
  const data = input.regulations ? addRegulations(input.data, input.regulations) : input.data;
  await mkdir(input.outDir, { recursive: true });
  const written: string[] = [];
  for (const f of formats) {
    const path = join(input.outDir, reporterFor(f).file);
    // Write beside and rename, so a reader (or a crash) never sees half a report.
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, renderReport(data, f), 'utf8');
    await rename(tmp, path);
    written.push(path);
  }
  return written;
}

export { renderHtml, viewUrl, VIEW_DEFAULT_PORT } from './html.js';
export { registerReporter, reportFormats, reporterFor, findReporter } from './registry.js';
export type { Reporter } from './reporter.js';
export { assertionResults, assertionSummary, assertionsTableHtml, itemsWithAssertions, type AssertionResult } from './assertions.js';
export { renderJson } from './json.js';
export { renderJunit } from './junit.js';
export { renderMarkdown } from './markdown.js';
export { readReportFile, parseReportData } from './read.js';
export { FrontierSection, RedteamSection, parseSections } from './sections.js';
export { addRegulations } from './regulations.js';

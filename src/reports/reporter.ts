import type { ReportData } from '../core/report.js';

/**
 * A report format: its name (`--format NAME`, `eval.formats`), the file it is written to inside a
 * run's report folder, and `render`, which turns `ReportData` (= report.json) into that file's
 * text. Every format renders ReportData and nothing else, so a stored run re-renders identically.
 */
export interface Reporter {
  format: string;
  file: string;
  /** Other names accepted by `--format` (e.g. `markdown` for `md`). */
  aliases?: readonly string[];
  render(data: ReportData): string;
}

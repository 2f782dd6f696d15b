import type { Reporter } from './reporter.js';
import type { ReportData } from '../core/report.js';

/** `report.json`: exactly ReportData, pretty-printed, keys in the contract's order. */
export function renderJson(data: ReportData): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}

export const jsonReporter: Reporter = { format: 'json', file: 'report.json', render: renderJson };

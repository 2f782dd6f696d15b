import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { UserError } from '../core/errors.js';
import type { ReportData } from '../core/report.js';
import { loadReport } from '../eval/load-report.js';
import { loadPack } from '../policy/load.js';
import { addRegulations, readReportFile } from '../reports/index.js';
import { openDb } from '../store/db.js';

/**
 * A run reference on the command line: a path to a report.json (or a folder holding one) works
 * without a store; anything else is a run id (or a unique prefix, or `last`) looked up in the store.
 */
export function createReportLoader(config: LoadedConfig): (ref: string) => ReportData {
  let regs: Map<string, string[]> | null | undefined;
  const packRegulations = (): Map<string, string[]> | null => {
    if (regs === undefined) {
      try {
        regs = new Map(loadPack(config.policyPath).pack.policies.map((p) => [p.id, p.regulations]));
      } catch {
        regs = null; // The pack is optional here: the report renders without the regulation filter.
      }
    }
    return regs;
  };
  return (ref) => loadReportRef(ref, config, packRegulations);
}

/** Fill in items' regulations from the policy pack when the report lacks them (best effort, the pack is read once). */
function withPackRegulations(data: ReportData, packRegulations: () => Map<string, string[]> | null): ReportData {
  if (data.items.every((i) => i.regulations !== undefined || !i.policy)) return data;
  const regs = packRegulations();
  return regs ? addRegulations(data, regs) : data;
}

function loadReportRef(ref: string, config: LoadedConfig, packRegulations: () => Map<string, string[]> | null): ReportData {
  const asPath = resolve(ref);
  if (existsSync(asPath)) {
    const st = statSync(asPath);
    if (st.isFile()) return withPackRegulations(readReportFile(asPath), packRegulations);
    if (st.isDirectory() && existsSync(join(asPath, 'report.json'))) return withPackRegulations(readReportFile(join(asPath, 'report.json')), packRegulations);
    throw new UserError(`${ref}: a folder without report.json (give a run id or a report.json path)`, { code: 'not_found' });
  }
  if (/\.json$/i.test(ref)) throw new UserError(`${ref}: file not found`, { code: 'not_found' });
  if (!existsSync(config.storePath)) {
    throw new UserError(`no run "${ref}": there is no store at ${config.storePath} yet (run \`pillars eval\` first, or pass a report.json path)`, { code: 'not_found' });
  }
  const db = openDb(config.storePath);
  try {
    return withPackRegulations(loadReport(db, ref), packRegulations);
  } finally {
    db.close();
  }
}

/** Where `pillars eval` puts reports: `eval.outDir` from pillars.yaml, else .pillars/reports beside the config. */
export function defaultReportsDir(config: LoadedConfig): string {
  const section = config.raw.eval;
  const outDir = section && typeof section === 'object' ? (section as { outDir?: unknown }).outDir : undefined;
  return typeof outDir === 'string' ? config.resolve(outDir) : resolve(config.dir, '.pillars', 'reports');
}

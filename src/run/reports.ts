import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { UserError } from '../core/errors.js';
import type { ReportData } from '../core/report.js';
import { loadStoredReport } from '../eval/load-report.js';
import { loadPack } from '../policy/load.js';
import { addRegulations, readReportFile } from '../reports/index.js';
import { openStore, storeBackend, type OpenStore } from '../store/open.js';

/** Loads reports by reference; `close()` releases the store if one was opened. */
export interface ReportLoader {
  (ref: string): Promise<ReportData>;
  close(): Promise<void>;
}

/**
 * A run reference on the command line: a path to a report.json (or a folder holding one) works
 * without a store; anything else is a run id (or a unique prefix, or `last`) looked up in the
 * store, SQLite or PostgreSQL (opened once, on the first such reference).
 */
export function createReportLoader(config: LoadedConfig): ReportLoader {
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
  let store: Promise<OpenStore> | null = null;
  const openOnce = (): Promise<OpenStore> => (store ??= openStore(config.storePath));
  const load = (ref: string): Promise<ReportData> => loadReportRef(ref, config, openOnce, packRegulations);
  return Object.assign(load, {
    async close() {
      const s = store;
      store = null;
      if (s) await (await s.catch(() => null))?.close();
    },
  });
}

/** Fill in items' regulations from the policy pack when the report lacks them (best effort, the pack is read once). */
function withPackRegulations(data: ReportData, packRegulations: () => Map<string, string[]> | null): ReportData {
  if (data.items.every((i) => i.regulations !== undefined || !i.policy)) return data;
  const regs = packRegulations();
  return regs ? addRegulations(data, regs) : data;
}

async function loadReportRef(ref: string, config: LoadedConfig, open: () => Promise<OpenStore>, packRegulations: () => Map<string, string[]> | null): Promise<ReportData> {
  const asPath = resolve(ref);
  if (existsSync(asPath)) {
    const st = statSync(asPath);
    if (st.isFile()) return withPackRegulations(readReportFile(asPath), packRegulations);
    if (st.isDirectory() && existsSync(join(asPath, 'report.json'))) return withPackRegulations(readReportFile(join(asPath, 'report.json')), packRegulations);
    throw new UserError(`${ref}: a folder without report.json (give a run id or a report.json path)`, { code: 'not_found' });
  }
  if (/\.json$/i.test(ref)) throw new UserError(`${ref}: file not found`, { code: 'not_found' });
  if (storeBackend(config.storePath) === 'sqlite' && !existsSync(config.storePath)) {
    throw new UserError(`no run "${ref}": there is no store at ${config.storePath} yet (run \`pillars eval\` first, or pass a report.json path)`, { code: 'not_found' });
  }
  return withPackRegulations(await loadStoredReport(await open(), ref), packRegulations);
}

/** Where `pillars eval` puts reports: `eval.outDir` from pillars.yaml, else .pillars/reports beside the config. */
export function defaultReportsDir(config: LoadedConfig): string {
  const section = config.raw.eval;
  const outDir = section && typeof section === 'object' ? (section as { outDir?: unknown }).outDir : undefined;
  return typeof outDir === 'string' ? config.resolve(outDir) : resolve(config.dir, '.pillars', 'reports');
}

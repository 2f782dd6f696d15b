import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { section, type LoadedConfig } from '../config/load.js';
import { UserError } from '../core/errors.js';
import type { ReportData } from '../core/report.js';
import type { Target } from '../core/types.js';
import { createTarget, TargetConfig } from '../targets/index.js';
import type { Objective } from './config.js';
import { selectCheckpoint, type Candidate } from './select-checkpoint.js';

/**
 * `pillars eval --watch DIR`: each new checkpoint folder that appears in DIR is evaluated through
 * a target built from a template in pillars.yaml (`watch.template`, with `{{name}}` = the folder's
 * name and `{{path}}` = its absolute path), once the folder has stopped changing (`settleMs`) and,
 * when `ready` is set, once that marker file exists in it. Folders present at start are skipped.
 * Stops when the signal aborts (Ctrl-C).
 *
 *   watch:
 *     template: {type: openai, baseUrl: http://localhost:8000/v1, model: '{{name}}'}
 *     ready: config.json        # optional marker file
 *     settleMs: 5000
 */

export const WatchSection = z
  .object({
    template: z.record(z.string(), z.unknown()).optional(),
    /** Folder names to consider (a regular expression; default: all). */
    pattern: z.string().default('.*'),
    /** A marker file that must exist in the folder (e.g. config.json, or a READY file the trainer writes last). */
    ready: z.string().optional(),
    /** The folder must be unchanged this long before it is evaluated. */
    settleMs: z.number().int().min(0).default(5000),
    intervalMs: z.number().int().min(50).default(2000),
  })
  .strict()
  .prefault({});
export type WatchSection = z.infer<typeof WatchSection>;

export function loadWatchSection(config: LoadedConfig): WatchSection {
  return section(config, 'watch', WatchSection);
}

function fill(v: unknown, vars: Record<string, string>): unknown {
  if (typeof v === 'string') return v.replace(/\{\{\s*(name|path)\s*\}\}/g, (_, k: string) => vars[k] ?? '');
  if (Array.isArray(v)) return v.map((x) => fill(x, vars));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x, vars)]));
  return v;
}

/** The target configuration of a checkpoint: the template with {{name}} and {{path}} filled in, validated. */
export function checkpointTargetConfig(w: WatchSection, name: string, path: string, config: LoadedConfig): TargetConfig {
  if (!w.template) throw new UserError(`${config.file ?? 'pillars.yaml'}: watching checkpoints needs watch.template (e.g. {type: openai, baseUrl: http://localhost:8000/v1, model: '{{name}}'})`, { code: 'config' });
  const id = (name.startsWith('ckpt') ? name : `ckpt-${name}`).replace(/[^A-Za-z0-9_.-]/g, '_');
  const r = TargetConfig.safeParse({ ...(fill(w.template, { name, path }) as Record<string, unknown>), id });
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new UserError(`watch.template: ${i.path.join('.') || '(root)'}: ${i.message}`, { code: 'config', problems: [{ ...config.locate(['watch', 'template', ...i.path.map(String)]), message: `watch.template.${i.path.join('.')}: ${i.message}` }] });
  }
  return r.data;
}

/** A cheap signature of a folder's contents (names, sizes, mtimes; one level of sub-folders). */
function signature(dir: string): string {
  const parts: string[] = [];
  const walk = (d: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const n of names) {
      try {
        const s = statSync(join(d, n));
        parts.push(`${n}:${s.size}:${s.mtimeMs}`);
        if (s.isDirectory() && depth < 1) walk(join(d, n), depth + 1);
      } catch {
        parts.push(`${n}:?`);
      }
    }
  };
  walk(dir, 0);
  return parts.join('|');
}

function folders(dir: string, re: RegExp): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && re.test(d.name))
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

export interface WatchInput {
  dir: string;
  settings: WatchSection;
  signal: AbortSignal;
  /** Evaluate one checkpoint; errors are reported through `onError` and the watch goes on. */
  onCheckpoint: (name: string, path: string) => Promise<void>;
  onError?: (name: string, e: unknown) => void;
  /** Called once the folders present at start are known (tests wait for it). */
  onReady?: (existing: string[]) => void;
  now?: () => number;
}

/** Watch DIR until the signal aborts; returns the checkpoints evaluated, in order. */
export async function watchCheckpoints(input: WatchInput): Promise<string[]> {
  if (!existsSync(input.dir) || !statSync(input.dir).isDirectory()) throw new UserError(`${input.dir} is not a folder`, { code: 'usage', option: 'watch' });
  const now = input.now ?? (() => Date.now());
  let re: RegExp;
  try {
    re = new RegExp(input.settings.pattern);
  } catch (e) {
    throw new UserError(`watch.pattern: ${(e as Error).message}`, { code: 'config' });
  }
  const done = new Set(folders(input.dir, re));
  input.onReady?.([...done]);
  const pending = new Map<string, { sig: string; since: number }>();
  const evaluated: string[] = [];
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      input.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  while (!input.signal.aborted) {
    for (const name of folders(input.dir, re)) {
      if (done.has(name)) continue;
      const path = join(input.dir, name);
      const sig = signature(path);
      const p = pending.get(name);
      if (!p || p.sig !== sig) {
        pending.set(name, { sig, since: now() });
        continue;
      }
      if (now() - p.since < input.settings.settleMs) continue;
      if (input.settings.ready && !existsSync(join(path, input.settings.ready))) continue;
      pending.delete(name);
      done.add(name);
      try {
        await input.onCheckpoint(name, path);
        evaluated.push(name);
      } catch (e) {
        if (input.signal.aborted) break;
        input.onError?.(name, e);
      }
      if (input.signal.aborted) break;
    }
    await sleep(input.settings.intervalMs);
  }
  return evaluated;
}

/** Build the checkpoint's target (no I/O until its first request). */
export function checkpointTarget(w: WatchSection, name: string, path: string, config: LoadedConfig): { cfg: TargetConfig; target: Target } {
  const cfg = checkpointTargetConfig(w, name, path, config);
  const target = createTarget(cfg, {
    resolve: config.resolve,
    lookup: (id) => {
      throw new UserError(`watch.template: a checkpoint target cannot wrap another target ("${id}")`, { code: 'config' });
    },
  });
  return { cfg, target };
}

const pct = (v: number | null | undefined): string => (v === null || v === undefined ? 'n/a' : `${(v * 100).toFixed(1)}%`);

/** One line per evaluated checkpoint. */
export function checkpointLine(name: string, runId: string, report: ReportData, ms: number): string {
  const o = report.metrics.overall as unknown as Record<string, number | null | undefined>;
  const failed = report.gates.filter((g) => !g.passed).length;
  return `${name}: violation ${pct(o.violation_rate)}, over-refusal ${pct(o.over_refusal_rate)}, accuracy ${pct(o.accuracy)}; ${failed ? `${failed} gate(s) failed` : 'gates pass'} (run ${runId}, ${(ms / 1000).toFixed(1)} s)`;
}

/** The best checkpoint so far (select-checkpoint's rule), as printable lines. */
export function watchSelection(candidates: Candidate[], objective: Objective): string[] {
  if (candidates.length === 0) return ['no checkpoint evaluated'];
  const sel = selectCheckpoint(candidates, objective);
  return [...sel.reasoning, sel.best ? `best so far: ${sel.best} (run ${sel.bestRun})` : 'best so far: none passes the gates'];
}

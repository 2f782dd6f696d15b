import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { UserError, type Problem } from '../core/errors.js';
import { defaultPackPath } from '../core/paths.js';
import { yamlToJs } from '../core/yaml-js.js';

/**
 * `pillars.yaml`: the project's configuration. The base fields are typed here; each feature
 * (targets, gates, guard, frontier, reward ...) parses its own section with its own schema through
 * `section()`, which reports problems as FILE:LINE:COL. Relative paths resolve against the file's folder.
 */

export const BaseConfig = z
  .object({
    $schema: z.string().optional(),
    /** Path of the policy pack (file or folder). Default: the built-in pack. */
    policy: z.string().optional(),
    /** SQLite database path. Default: .pillars/pillars.db beside the config. */
    store: z.string().optional(),
  })
  .passthrough();
export type BaseConfig = z.infer<typeof BaseConfig>;

export interface LoadedConfig {
  /** The file read, or null for built-in defaults. */
  file: string | null;
  /** Folder relative paths resolve against. */
  dir: string;
  raw: Record<string, unknown>;
  base: BaseConfig;
  /** Absolute path of the policy pack to use. */
  policyPath: string;
  /**
   * The store: an absolute SQLite path, or a `postgres://` URL (kept as written). `PILLARS_STORE`
   * overrides `store:` in pillars.yaml.
   */
  storePath: string;
  resolve(p: string): string;
  /** Position of a path in the file (for error messages). */
  locate(path: readonly PropertyKey[]): { file: string; line: number; col: number };
}

function positionIn(doc: Document.Parsed | null, lines: LineCounter | null, path: readonly PropertyKey[]): { line: number; col: number } {
  if (!doc || !lines) return { line: 1, col: 1 };
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as (string | number)[], true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]);
  }
  return { line: 1, col: 1 };
}

/** Load `--config FILE`, else ./pillars.yaml when present, else built-in defaults. */
export function loadConfig(opts: { config?: string; cwd?: string } = {}): LoadedConfig {
  const cwd = opts.cwd ?? process.cwd();
  let file: string | null = null;
  if (opts.config) {
    file = resolve(cwd, opts.config);
    if (!existsSync(file)) throw new UserError(`${opts.config}: configuration file not found`, { code: 'config' });
  } else if (existsSync(resolve(cwd, 'pillars.yaml'))) {
    file = resolve(cwd, 'pillars.yaml');
  }
  let raw: Record<string, unknown> = {};
  let doc: Document.Parsed | null = null;
  let lines: LineCounter | null = null;
  const shown = file ? (opts.config ?? 'pillars.yaml') : '<defaults>';
  if (file) {
    lines = new LineCounter();
    doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: lines, prettyErrors: false });
    if (doc.errors.length > 0) {
      const problems: Problem[] = doc.errors.map((e) => ({ file: shown, ...lines!.linePos(e.pos[0]), message: `YAML syntax error: ${e.message.split('\n')[0]}` }));
      throw new UserError(`${shown}: invalid YAML`, { code: 'config', problems });
    }
    const converted = yamlToJs(doc, lines, shown);
    if (!converted.ok) throw new UserError(`${shown}: invalid YAML`, { code: 'config', problems: [converted.problem] });
    const js = converted.value;
    if (js !== null && (typeof js !== 'object' || Array.isArray(js))) {
      throw new UserError(`${shown}:1:1: configuration must be a YAML mapping`, { code: 'config' });
    }
    raw = (js ?? {}) as Record<string, unknown>;
  }
  const dir = file ? dirname(file) : cwd;
  const res = (p: string): string => (isAbsolute(p) ? p : resolve(dir, p));
  const locate = (path: readonly PropertyKey[]): { file: string; line: number; col: number } => ({ file: shown, ...positionIn(doc, lines, path) });
  const parsed = BaseConfig.safeParse(raw);
  if (!parsed.success) throw sectionError(parsed.error, [], locate, shown);
  const base = parsed.data;
  return {
    file,
    dir,
    raw,
    base,
    policyPath: base.policy ? res(base.policy) : defaultPackPath,
    storePath: storeLocation(process.env.PILLARS_STORE || base.store, res) ?? resolve(dir, '.pillars', 'pillars.db'),
    resolve: res,
    locate,
  };
}

/** A `postgres://` URL stays as written; a path resolves against the config's folder. */
function storeLocation(store: string | undefined, res: (p: string) => string): string | null {
  if (!store) return null;
  return /^postgres(ql)?:\/\//i.test(store) ? store : res(store);
}

function sectionError(err: z.ZodError, prefix: PropertyKey[], locate: LoadedConfig['locate'], shown: string): UserError {
  const problems: Problem[] = err.issues.map((i) => {
    const path = [...prefix, ...i.path];
    const field = path.length ? path.map(String).join('.') : '(root)';
    return { ...locate(path), message: `${field}: ${i.message}` };
  });
  return new UserError(`${shown}: invalid configuration`, { code: 'config', problems });
}

/** Parse one section of the configuration with a feature's own schema. */
export function section<S extends z.ZodType>(cfg: LoadedConfig, key: string, schema: S): z.infer<S> {
  const r = schema.safeParse(cfg.raw[key]);
  if (!r.success) throw sectionError(r.error, [key], cfg.locate, cfg.file ? cfg.locate([]).file : '<defaults>');
  return r.data;
}

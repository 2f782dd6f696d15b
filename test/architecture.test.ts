import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The module map (docs/architecture.md) is enforced by dependency-cruiser: `npm run deps` runs the
 * rules of scripts/deps-rules.cjs over src/ and bench/ inside `npm test`. These tests check the
 * table itself against the code, and that the rules catch a planted cross-feature import, a planted
 * dynamic import and a planted cycle.
 */

const ROOT = join(__dirname, '..');
const { ALLOWED, rules } = createRequire(import.meta.url)(join(ROOT, 'scripts', 'deps-rules.cjs')) as {
  ALLOWED: Record<string, string[]>;
  rules: (root?: string, allowed?: Record<string, string[]>) => unknown[];
};

async function run(baseDir: string, forbidden: unknown[]): Promise<ICruiseResult> {
  const r = await cruise(['src'], { baseDir, ruleSet: { forbidden } as never, validate: true, tsPreCompilationDeps: true, exclude: { path: '\\.test\\.ts$' }, doNotFollow: { path: 'node_modules' } });
  return r.output as ICruiseResult;
}

const folderOf = (p: string): string | null => (/^src\/([^/]+)\//.exec(p)?.[1] ?? null);
const show = (v: IViolation): string => `${v.rule.name}: ${v.from} -> ${v.to}`;

describe('architecture: the module map matches the code', () => {
  it('every folder under src/ is in the table, and the table lists exactly the folder imports that exist', async () => {
    const folders = readdirSync(join(ROOT, 'src')).filter((n) => statSync(join(ROOT, 'src', n)).isDirectory());
    expect(folders.filter((f) => !(f in ALLOWED))).toEqual([]);
    const result = await run(ROOT, []);
    const used = new Map<string, Set<string>>();
    for (const m of result.modules) {
      const from = folderOf(m.source);
      if (!from) continue;
      for (const d of m.dependencies) {
        const to = folderOf(d.resolved);
        if (to && to !== from) used.set(from, (used.get(from) ?? new Set()).add(to));
      }
    }
    const unused = Object.entries(ALLOWED).flatMap(([f, tos]) => tos.filter((t) => !used.get(f)?.has(t)).map((t) => `${f} -> ${t}`));
    expect(unused).toEqual([]);
    const unlisted = [...used].flatMap(([f, tos]) => [...tos].filter((t) => !(ALLOWED[f] ?? []).includes(t)).map((t) => `${f} -> ${t}`));
    expect(unlisted).toEqual([]);
  }, 60_000);
});

describe('architecture: the boundary check fails on planted violations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pillars-deps-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (rel: string, text: string): void => {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  };
  // A small tree with the real rules: attacks/ may import core/ only; gateway/ has an index.ts.
  const allowed = { core: [], attacks: ['core'], gateway: ['core'], reports: ['core'], cli: ['core', 'attacks', 'gateway', 'reports'], run: ['core'] };
  write('src/core/types.ts', 'export type Id = string;\n');
  write('src/gateway/index.ts', "export { audit } from './audit.js';\n");
  write('src/gateway/audit.ts', "import type { Id } from '../core/types.js';\nexport const audit = (id: Id): string => id;\n");
  write('src/attacks/index.ts', "import type { Id } from '../core/types.js';\nexport const attack = (id: Id): Id => id;\n");
  write('src/reports/index.ts', "export const report = (): string => 'ok';\n");
  write('src/cli/main.ts', "import { attack } from '../attacks/index.js';\nimport { audit } from '../gateway/index.js';\nexport const main = (): string => audit(attack('x'));\n");

  it('a clean tree passes', async () => {
    const r = await run(dir, rules('src', allowed));
    expect(r.summary.violations.map(show)).toEqual([]);
  });

  it('catches a cross-feature import, a dynamic import, an import past index.ts and a cycle', async () => {
    write('src/attacks/planted-static.ts', "import { audit } from '../gateway/index.js';\nexport const leak = audit;\n");
    write('src/attacks/planted-dynamic.ts', "export async function later(): Promise<unknown> {\n  return import('../gateway/index.js');\n}\n");
    write('src/cli/planted-deep.ts', "export { audit } from '../gateway/audit.js';\n");
    write('src/reports/planted-deep.ts', "import { audit } from '../gateway/audit.js';\nexport const x = audit;\n");
    write('src/core/a.ts', "import { b } from './b.js';\nexport const a = (): number => b() + 1;\n");
    write('src/core/b.ts', "import { a } from './a.js';\nexport const b = (): number => (Math.random() > 2 ? a() : 0);\n");
    const r = await run(dir, rules('src', allowed));
    const found = r.summary.violations.map(show);
    expect(found).toContain('feature-table: src/attacks/planted-static.ts -> src/gateway/index.ts');
    expect(found).toContain('feature-table: src/attacks/planted-dynamic.ts -> src/gateway/index.ts');
    expect(r.summary.violations.find((v) => v.from === 'src/attacks/planted-dynamic.ts')).toBeDefined();
    expect(found).toContain('feature-table: src/reports/planted-deep.ts -> src/gateway/audit.ts');
    expect(found).toContain('index-only: src/reports/planted-deep.ts -> src/gateway/audit.ts');
    // cli/ is a composition surface: it may reach past index.ts.
    expect(found.filter((f) => f.includes('src/cli/planted-deep.ts'))).toEqual([]);
    expect(found.some((f) => f.startsWith('no-circular: src/core/a.ts'))).toBe(true);
  }, 60_000);
});

import type { Command } from 'commander';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { UserError } from '../../core/errors.js';
import { starterFiles } from '../../policy/starter.js';
import { example } from '../shared.js';

/** `pillars init [DIR]`: a starter pillars.yaml, policy pack and suite; never overwrites a file. */
export function registerInit(program: Command): void {
  example(program.command('init [dir]').description('write a starter pillars.yaml, policy pack (policy/) and suite into DIR (default: .); refuses to overwrite files'), [
    'pillars init my-project && cd my-project && pillars policy validate',
  ]).action((dir: string | undefined) => {
    const root = resolve(dir ?? '.');
    const files = starterFiles().map((f) => ({ ...f, abs: join(root, f.path) }));
    // Check everything first: either all files are written or none.
    const taken = files.filter((f) => existsSync(f.abs));
    if (taken.length > 0) {
      throw new UserError(`refusing to overwrite ${taken.map((f) => relative(process.cwd(), f.abs) || f.abs).join(', ')}: pillars init only writes into a folder without these files`, {
        code: 'usage',
        exitCode: 2,
      });
    }
    for (const f of files) {
      mkdirSync(dirname(f.abs), { recursive: true });
      writeFileSync(f.abs, f.content, { flag: 'wx' });
    }
    const shown = relative(process.cwd(), root) || '.';
    process.stdout.write(
      `Wrote ${files.map((f) => join(shown, f.path)).join(', ')}\nNext:\n  cd ${shown}\n  pillars policy validate\n  pillars risk assess --product chat-assistant\n  pillars eval\n`,
    );
  });
}

import { UserError } from '../core/errors.js';
import { htmlReporter } from './html.js';
import { jsonReporter } from './json.js';
import { junitReporter } from './junit.js';
import { markdownReporter } from './markdown.js';
import type { Reporter } from './reporter.js';

/**
 * The registered report formats, in the order they are written. A new format is one file exporting
 * a `Reporter` and one line in BUILTIN (or one `registerReporter` call for a plug-in).
 */
const BUILTIN: Reporter[] = [htmlReporter, jsonReporter, junitReporter, markdownReporter];

const reporters = new Map<string, Reporter>();

/** Add a report format (a later registration of the same name replaces the earlier one). */
export function registerReporter(r: Reporter): void {
  reporters.set(r.format, r);
}

BUILTIN.forEach(registerReporter);

/** The names of every registered format, in registration order. */
export function reportFormats(): string[] {
  return [...reporters.keys()];
}

/** The reporter of a format name or alias, or undefined. */
export function findReporter(name: string): Reporter | undefined {
  const n = name.trim().toLowerCase();
  return reporters.get(n) ?? [...reporters.values()].find((r) => r.aliases?.includes(n));
}

/** The reporter of a format name or alias; an unknown name is a UserError listing the known ones. */
export function reporterFor(name: string): Reporter {
  const r = findReporter(name);
  if (!r) throw new UserError(`unknown report format "${name}" (expected ${reportFormats().join(', ')})`, { code: 'usage' });
  return r;
}

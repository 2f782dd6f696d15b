export { cli, type CliResult } from '../helpers/cli.js';

/** 1-based line and column of the first occurrence of `needle` (after `from`) in `text`. */
export function posOf(text: string, needle: string, from = 0): { line: number; col: number } {
  const i = text.indexOf(needle, from);
  if (i < 0) throw new Error(`${needle} not in text`);
  const before = text.slice(0, i).split('\n');
  return { line: before.length, col: before[before.length - 1]!.length + 1 };
}

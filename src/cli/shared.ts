import { type Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { createCtx, createLogger } from '../core/context.js';
import type { Ctx } from '../core/types.js';

/** Options every config-reading command takes. */
export interface CommonOpts {
  config?: string;
  json?: boolean;
}

export function withConfig(cmd: Command): Command {
  return cmd.option('--config <file>', 'configuration file (default: ./pillars.yaml when present, else built-in defaults)');
}

export function withJson(cmd: Command): Command {
  return cmd.option('--json', 'machine-readable JSON output');
}

/** Adds an example block to a command's --help. */
export function example(cmd: Command, lines: string[]): Command {
  return cmd.addHelpText('after', `\nExample:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
}

export function intOption(flags: string, description: string, def?: number): Option {
  const o = new Option(flags, description).argParser((v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expects a whole number, got "${v}"`);
    return n;
  });
  return def === undefined ? o : o.default(def);
}

/** The context a command runs with: config, logger, abort signal (Ctrl-C). */
export interface CliEnv {
  config: LoadedConfig;
  ctx: Ctx;
}

export function cliEnv(opts: CommonOpts): CliEnv {
  const config = loadConfig({ config: opts.config });
  const ac = new AbortController();
  process.once('SIGINT', () => ac.abort(new Error('interrupted')));
  return { config, ctx: createCtx({ log: createLogger(), signal: ac.signal }) };
}

export function printJson(v: unknown): void {
  process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
}

/** Read all of stdin (for `-` arguments). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

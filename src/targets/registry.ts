import { z } from 'zod';
import { anthropicTarget } from './anthropic/entry.js';
import { bedrockTarget } from './bedrock/entry.js';
import type { TargetEntry } from './entry.js';
import { execTarget } from './exec/entry.js';
import { ggufTarget } from './gguf/entry.js';
import { guardTarget } from './guard/entry.js';
import { httpTarget } from './http/entry.js';
import { openaiTarget } from './openai/entry.js';
import { openaiImagesTarget } from './openai-images/entry.js';
import { replayTarget } from './replay/entry.js';

/**
 * Every target provider. A new provider is a folder with an `entry.ts` (its schema and `create`)
 * and an `index.ts` (the `Target`), plus its entry in this list (the config schema is the union of
 * the entries' schemas).
 */
export const TARGET_ENTRIES = [openaiTarget, anthropicTarget, bedrockTarget, ggufTarget, httpTarget, execTarget, replayTarget, guardTarget, openaiImagesTarget] as const;

/** The schemas of a tuple of entries, as a tuple (so zod infers the union of the config types). */
type SchemasOf<T extends readonly unknown[]> = { -readonly [K in keyof T]: T[K] extends { schema: infer S } ? S : never };

/** One provider's `targets:` entry, chosen by `type`. */
export const ProviderTargetConfig = z.discriminatedUnion('type', TARGET_ENTRIES.map((e) => e.schema) as unknown as SchemasOf<typeof TARGET_ENTRIES>);
export type ProviderTargetConfig = z.infer<typeof ProviderTargetConfig>;

const BY_TYPE = new Map<string, TargetEntry>(TARGET_ENTRIES.map((e) => [e.type, e as unknown as TargetEntry]));

/** The registered entry of a provider type (the schema has already checked that it exists). */
export function targetEntry(type: string): TargetEntry {
  const e = BY_TYPE.get(type);
  if (!e) throw new Error(`no target provider "${type}"`);
  return e;
}

/** Provider type names, in registration order. */
export const TARGET_TYPES: string[] = TARGET_ENTRIES.map((e) => e.type);

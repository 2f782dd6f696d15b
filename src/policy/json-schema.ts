import { z } from 'zod';
import { PolicyPack } from './schema.js';

/** The JSON Schema of a policy pack, generated from the zod schema (single source of truth). */
export function policySchemaJson(): Record<string, unknown> {
  const schema = z.toJSONSchema(PolicyPack, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://pillars.dev/schema/policy-pack.json', title: 'Pillars policy pack' };
}

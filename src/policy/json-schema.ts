import { z } from 'zod';
import { PolicyPack } from './schema.js';

type Json = Record<string, unknown>;

/** The JSON Schema of a policy pack, generated from the zod schema (single source of truth). */
export function policySchemaJson(): Json {
  const schema = z.toJSONSchema(PolicyPack, { io: 'input', unrepresentable: 'any' }) as Json;
  // The ladder's keys are checked by a refinement zod cannot export: state them for editors.
  const policy = ((schema.properties as Json).policies as Json).items as Json;
  const levels = (policy.properties as Json).levels as Json;
  levels.propertyNames = { type: 'string', pattern: '^[0-3]$' };
  levels.required = ['0', '1', '2', '3'];
  return { ...schema, $id: 'https://pillars.dev/schema/policy-pack.json', title: 'Pillars policy pack' };
}

/** The committed copy editors point `$schema` at (kept in sync by `npm run schema` and a test). */
export const SCHEMA_FILE = 'schema/policy-pack.schema.json';

export function policySchemaText(): string {
  return `${JSON.stringify(policySchemaJson(), null, 2)}\n`;
}

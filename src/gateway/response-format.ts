import { z } from 'zod';

/**
 * Output format validation: an answer to a request with `response_format` `json_schema` must be
 * JSON that conforms to the schema (`json_object`: any JSON object). Schemas are compiled once
 * (zod's JSON Schema reader) and remembered by their text.
 */

export type FormatSpec = { kind: 'json_object' } | { kind: 'json_schema'; name: string; schema: z.ZodType | null; error: string | null };

const compiled = new Map<string, { schema: z.ZodType | null; error: string | null }>();
const MAX_SCHEMAS = 256;

function compile(schema: unknown): { schema: z.ZodType | null; error: string | null } {
  const key = JSON.stringify(schema);
  const hit = compiled.get(key);
  if (hit) return hit;
  let out: { schema: z.ZodType | null; error: string | null };
  try {
    out = { schema: z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]), error: null };
  } catch (e) {
    out = { schema: null, error: (e as Error).message };
  }
  if (compiled.size >= MAX_SCHEMAS) compiled.delete(compiled.keys().next().value!);
  compiled.set(key, out);
  return out;
}

/** The format the request asks for (null: none, or plain text). */
export function formatOf(body: Record<string, unknown>): FormatSpec | null {
  const rf = body.response_format as { type?: unknown; json_schema?: { name?: unknown; schema?: unknown } } | undefined;
  if (!rf || typeof rf !== 'object') return null;
  if (rf.type === 'json_object') return { kind: 'json_object' };
  if (rf.type === 'json_schema' && rf.json_schema && typeof rf.json_schema === 'object' && rf.json_schema.schema && typeof rf.json_schema.schema === 'object') {
    return { kind: 'json_schema', name: typeof rf.json_schema.name === 'string' ? rf.json_schema.name : 'schema', ...compile(rf.json_schema.schema) };
  }
  return null;
}

/** Why `text` does not conform (null: it does). */
export function formatProblem(text: string, spec: FormatSpec): string | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return `the answer is not JSON (${(e as Error).message})`;
  }
  if (spec.kind === 'json_object') return v && typeof v === 'object' && !Array.isArray(v) ? null : 'the answer is JSON but not an object';
  if (!spec.schema) return null;
  const r = spec.schema.safeParse(v);
  if (r.success) return null;
  const i = r.error.issues[0]!;
  return `the answer does not match schema ${spec.name}: ${i.path.map(String).join('.') || '(root)'}: ${i.message}`;
}

import type { z } from 'zod';
import type { Problem } from '../core/errors.js';
import { Item } from '../core/types.js';

/**
 * Turning loose rows (CSV cells, imported JSON objects) into typed `Item` fields, and zod
 * issues into `field: message` problems. Shared by the readers and the importer.
 */

/** Item fields that hold arrays of strings: a CSV cell may be a JSON array or `a|b|c`. */
export const ARRAY_FIELDS = new Set(['choices', 'mustInclude', 'mustNotInclude', 'tags']);
/** Item fields that hold objects: a CSV cell must be a JSON object (or use dot-path columns). */
export const OBJECT_FIELDS = new Set(['labels', 'meta']);
export const NUMBER_FIELDS = new Set(['level', 'threshold']);
export const JSON_FIELDS = new Set(['messages', 'assert']);

/** Coerce a text cell to the type the item field wants. Empty cells are `undefined`. */
export function coerceCell(field: string, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'string') return value;
  const v = value.trim();
  if (v === '') return undefined;
  const top = field.split('.')[0] ?? field;
  if (top === field && ARRAY_FIELDS.has(field)) {
    if (v.startsWith('[')) return parseJsonCell(v);
    return v
      .split('|')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  }
  if (top === field && (OBJECT_FIELDS.has(field) || JSON_FIELDS.has(field))) return parseJsonCell(v);
  if (NUMBER_FIELDS.has(field)) {
    const n = Number(v);
    return Number.isFinite(n) ? n : v;
  }
  return value;
}

function parseJsonCell(v: string): unknown {
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v; // zod then names the field and the expected type
  }
}

/** Set `obj[a][b][c] = value` for a dot path `a.b.c`. */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    const k = parts[i]!;
    const next = cur[k];
    if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next)) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

/** Read `obj.a.b.c`; an exact key match wins over the dot path (CSV headers may contain dots). */
export function getPath(obj: unknown, path: string): unknown {
  if (obj && typeof obj === 'object' && !Array.isArray(obj) && path in obj) return (obj as Record<string, unknown>)[path];
  let cur: unknown = obj;
  for (const k of path.split('.')) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) && /^\d+$/.test(k) ? cur[Number(k)] : (cur as Record<string, unknown>)[k];
  }
  return cur;
}

export type ItemCheck = { ok: true; item: Item } | { ok: false; issues: { path: PropertyKey[]; message: string }[] };

/** Validate one row with the core `Item` schema. */
export function checkItem(data: unknown): ItemCheck {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, issues: [{ path: [], message: 'an item must be an object' }] };
  }
  const r = Item.safeParse(data);
  if (r.success) return { ok: true, item: r.data };
  return { ok: false, issues: issuesOf(r.error) };
}

export function issuesOf(err: z.ZodError): { path: PropertyKey[]; message: string }[] {
  return err.issues.map((i) => ({ path: i.path, message: i.message }));
}

/** `field: message` as the problems of a bad row say it. */
export function fieldMessage(path: readonly PropertyKey[], message: string): string {
  const field = path.length ? path.map(String).join('.') : '(row)';
  return `${field}: ${message}`;
}

export function problem(file: string, line: number, col: number, message: string): Problem {
  return { file, line, col, message };
}

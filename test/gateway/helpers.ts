import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Decision, Guard, GuardInput } from '../../src/core/types.js';
import { loadPack } from '../../src/policy/load.js';
import type { PolicyPack } from '../../src/policy/schema.js';

export const ACME = join(import.meta.dirname, '..', 'fixtures', 'policy', 'acme.yaml');
export const acmePack = (): PolicyPack => loadPack(ACME).pack;

export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'pillars-gw-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A rule-based guard with the pack's decision semantics (ladder, exceptions by tier, context and
 * upTo), for tests that need exact control (a guard that throws, a marker that must be cut).
 */
export function ruleGuard(pack: PolicyPack): Guard {
  const cbrn = pack.policies.find((p) => p.id === 'safety.cbrn')!;
  return {
    async check(input: GuardInput): Promise<Decision> {
      const t = input.text;
      if (t.includes('__throw__')) throw new Error('classifier exploded');
      const none: Decision = { action: 'allow', policy: null, pillar: null, topic: null, level: null, score: 0.01, stage: 'embedded', reasons: [] };
      if (input.role === 'output') {
        if (t.includes('OPERATIONAL-DETAIL')) return { ...none, action: 'refuse', policy: cbrn.id, pillar: 'safety', topic: 'cbrn', level: 3, score: 0.99, reasons: ['"OPERATIONAL-DETAIL"'], message: 'This response was stopped: it contained operational detail.' };
        return none;
      }
      const email = /[\w.+-]+@[\w-]+\.[\w.]+/.exec(t);
      if (email) {
        return { ...none, action: 'redact', policy: 'privacy_security.privacy', pillar: 'privacy_security', topic: 'privacy', level: 0, score: 0.9, redacted: t.replace(email[0], '[EMAIL]'), reasons: ['email address'] };
      }
      if (!/nerve\s+agent|sarin/i.test(t)) return none;
      const level = /synthesis route|step-by-step/i.test(t) ? 3 : /technical|mechanism/i.test(t) ? 2 : 1;
      const ex = cbrn.exceptions.find((e) => e.context === input.caller?.context && e.tiers.includes(input.caller?.tier ?? 'public') && level <= e.upTo);
      const ladder = cbrn.levels as Record<string, Decision['action']>;
      const action = ex ? 'allow' : ladder[String(level)]!;
      return {
        action,
        policy: cbrn.id,
        pillar: 'safety',
        topic: 'cbrn',
        level,
        score: 0.95,
        stage: 'embedded',
        reasons: ['"nerve agent"'],
        exception: ex ? { context: ex.context, upTo: ex.upTo, monitoring: ex.monitoring, adapter: ex.adapter } : null,
        message: action === 'deflect' ? 'I can explain the history and the general science of chemical weapons (policy safety.cbrn).' : action === 'refuse' ? 'I can’t help with that (policy safety.cbrn).' : undefined,
      };
    },
  };
}

export interface Sent {
  status: number;
  headers: Headers;
  text: string;
  json(): unknown;
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Sent> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, headers: r.headers, text, json: () => JSON.parse(text) as unknown };
}

/** The concatenated delta contents and the last finish_reason of an SSE body. */
export function readSse(text: string): { content: string; finish: string | null; done: boolean } {
  let content = '';
  let finish: string | null = null;
  let done = false;
  for (const block of text.split('\n\n')) {
    const data = block.replace(/^data: /, '').trim();
    if (!data) continue;
    if (data === '[DONE]') {
      done = true;
      continue;
    }
    const c = JSON.parse(data) as { choices?: { delta: { content?: string }; finish_reason: string | null }[] };
    for (const ch of c.choices ?? []) {
      content += ch.delta.content ?? '';
      if (ch.finish_reason) finish = ch.finish_reason;
    }
  }
  return { content, finish, done };
}

/** Every byte of a SQLite store (the file and its WAL when present), to grep for secrets. */
export function storeBytes(path: string): string {
  return [path, `${path}-wal`].filter((p) => existsSync(p)).map((p) => readFileSync(p).toString('latin1')).join('');
}

export interface SseChoice {
  content: string;
  refusal: string;
  reasoning_content: string;
  reasoning: string;
  tool_calls: { id?: string; name?: string; arguments: string }[];
  function_call: { name?: string; arguments: string } | null;
  finish: string | null;
}

/** Every channel of every choice of an SSE body, reassembled from its deltas. */
export function readSseChoices(text: string): { choices: SseChoice[]; done: boolean } {
  const choices: SseChoice[] = [];
  let done = false;
  for (const block of text.split('\n\n')) {
    const data = block.replace(/^data: /, '').trim();
    if (!data || data.startsWith(':')) continue;
    if (data === '[DONE]') {
      done = true;
      continue;
    }
    const c = JSON.parse(data) as {
      choices?: {
        index: number;
        delta: { content?: string; refusal?: string; reasoning_content?: string; reasoning?: string; tool_calls?: { index: number; id?: string; function?: { name?: string; arguments?: string } }[]; function_call?: { name?: string; arguments?: string } };
        finish_reason: string | null;
      }[];
    };
    for (const ch of c.choices ?? []) {
      const s = (choices[ch.index] ??= { content: '', refusal: '', reasoning_content: '', reasoning: '', tool_calls: [], function_call: null, finish: null });
      const d = ch.delta ?? {};
      s.content += d.content ?? '';
      s.refusal += d.refusal ?? '';
      s.reasoning_content += d.reasoning_content ?? '';
      s.reasoning += d.reasoning ?? '';
      for (const t of d.tool_calls ?? []) {
        const call = (s.tool_calls[t.index] ??= { arguments: '' });
        if (t.id) call.id = t.id;
        if (t.function?.name) call.name = t.function.name;
        call.arguments += t.function?.arguments ?? '';
      }
      if (d.function_call) {
        s.function_call ??= { arguments: '' };
        if (d.function_call.name) s.function_call.name = d.function_call.name;
        s.function_call.arguments += d.function_call.arguments ?? '';
      }
      if (ch.finish_reason) s.finish = ch.finish_reason;
    }
  }
  return { choices, done };
}

/** Does `body` contain any `n`-character stretch of `secret`? (a leak of part of a harmful text) */
export function leaksPart(body: string, secret: string, n = 12): boolean {
  for (let i = 0; i + n <= secret.length; i++) if (body.includes(secret.slice(i, i + n))) return true;
  return false;
}

import { readFileSync } from 'node:fs';
import { TargetError, UserError, type Problem } from '../../core/errors.js';
import type { Ctx, GenerateRequest, Generation, Message } from '../../core/types.js';
import type { ReplayTargetConfig } from './entry.js';
import type { ProbeableTarget } from '../types.js';
import { fingerprintOf, lastUserText, sha256 } from '../util.js';

/**
 * Recorded answers: a JSONL file of `{"prompt": ..., "response": ...}` or
 * `{"messages": [...], "response": ...}` rows (e.g. exported production logs). A request is looked
 * up by its normalised conversation (user and assistant turns; system prompts ignored), then by its
 * last user message. Normalising: Unicode NFKC, lower case, whitespace collapsed, trimmed.
 */

export function normalisePrompt(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

function conversationKey(messages: Message[]): string {
  return messages
    .filter((m) => m.role !== 'system')
    .map((m) => `${m.role}:${normalisePrompt(m.content)}`)
    .join('\n');
}

export class ReplayTarget implements ProbeableTarget {
  readonly id: string;
  readonly fingerprint: string;
  private table: Map<string, string> | null = null;

  constructor(private readonly cfg: ReplayTargetConfig, private readonly path: string) {
    this.id = cfg.id;
    let digest = 'missing';
    try {
      digest = sha256(readFileSync(path, 'utf8')).slice(0, 16);
    } catch {
      // reported by probe()/generate() with the file name
    }
    this.fingerprint = fingerprintOf(cfg, { content: digest });
  }

  private load(): Map<string, string> {
    if (this.table) return this.table;
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      throw new UserError(`target ${this.id}: replay file ${this.cfg.path} not found`, { code: 'not_found' });
    }
    const table = new Map<string, string>();
    const problems: Problem[] = [];
    text.split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      let row: { prompt?: unknown; messages?: unknown; response?: unknown };
      try {
        row = JSON.parse(line) as typeof row;
      } catch (e) {
        problems.push({ file: this.cfg.path, line: i + 1, col: 1, message: `invalid JSON: ${(e as Error).message}` });
        return;
      }
      if (typeof row.response !== 'string') {
        problems.push({ file: this.cfg.path, line: i + 1, col: 1, message: 'response: expected a string' });
        return;
      }
      if (typeof row.prompt === 'string') {
        table.set(`user:${normalisePrompt(row.prompt)}`, row.response);
      } else if (Array.isArray(row.messages)) {
        const msgs = row.messages as Message[];
        table.set(conversationKey(msgs), row.response);
        const last = `user:${normalisePrompt(lastUserText(msgs))}`;
        if (!table.has(last)) table.set(last, row.response);
      } else {
        problems.push({ file: this.cfg.path, line: i + 1, col: 1, message: 'a row needs `prompt` (string) or `messages` (array)' });
      }
    });
    if (problems.length) throw new UserError(`${this.cfg.path}: invalid replay file`, { code: 'dataset_invalid', problems });
    this.table = table;
    return table;
  }

  async probe(): Promise<void> {
    this.load();
  }

  async generate(req: GenerateRequest, _ctx: Ctx): Promise<Generation> {
    const table = this.load();
    const hit = table.get(conversationKey(req.messages)) ?? table.get(`user:${normalisePrompt(lastUserText(req.messages))}`);
    if (hit !== undefined) return { text: hit, finishReason: 'stop', latencyMs: 0 };
    if (this.cfg.missing !== 'error') return { text: this.cfg.missing.respond, finishReason: 'other', latencyMs: 0 };
    throw new TargetError(`target ${this.id}: no recorded response for "${lastUserText(req.messages).slice(0, 80)}"`, { isRetryable: false });
  }
}

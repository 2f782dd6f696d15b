import { itemMessages, type Ctx, type Item, type Message, type Target } from '../core/types.js';

/**
 * `prefs generate`: the model under training answers each unsafe or borderline prompt n times at a
 * temperature above 0; the distinct answers become a ranking task (2-4 responses), in the shape the
 * review queue's preference import reads: {id, prompt, messages?, responses, policy?, level?}.
 */

export interface GeneratedPrompt {
  id: string;
  prompt: string;
  messages?: Message[];
  responses: string[];
  policy?: string;
  level?: number;
  expected?: string;
  kind?: string;
}

/** Unsafe (model-breaking) items, and benign items that sit near a policy (look-alikes, twins, items with a policy or level). */
export function isUnsafeOrBorderline(item: Item): boolean {
  if (item.kind === 'capability' || item.choices) return false;
  if (item.kind === 'model-breaking') return true;
  return item.twin !== undefined || item.policy !== undefined || item.topic !== undefined || item.level !== undefined;
}

export async function generatePreferences(
  input: { target: Target; items: AsyncIterable<Item> | Iterable<Item>; n: number; temperature?: number; maxTokens?: number; concurrency?: number; limit?: number; seed?: number },
  ctx: Ctx,
): Promise<{ rows: GeneratedPrompt[]; skipped: { id: string; reason: string }[]; requests: number }> {
  const n = Math.max(2, Math.min(4, input.n));
  const picked: Item[] = [];
  for await (const it of input.items) {
    if (!isUnsafeOrBorderline(it)) continue;
    picked.push(it);
    if (input.limit !== undefined && picked.length >= input.limit) break;
  }
  const rows: (GeneratedPrompt | null)[] = new Array(picked.length).fill(null);
  const skipped: { id: string; reason: string }[] = [];
  let requests = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < picked.length && !ctx.signal.aborted) {
      const i = next++;
      const item = picked[i]!;
      const messages = itemMessages(item);
      const texts: string[] = [];
      try {
        for (let k = 0; k < n; k++) {
          requests++;
          const g = await input.target.generate({ messages, options: { temperature: input.temperature ?? 0.9, maxTokens: input.maxTokens ?? 512, seed: (input.seed ?? 0) + k } }, ctx);
          texts.push(g.text.trim());
        }
      } catch (e) {
        if (ctx.signal.aborted) throw e;
        skipped.push({ id: item.id, reason: `target failed: ${(e as Error).message}` });
        continue;
      }
      const distinct = [...new Set(texts.filter((t) => t.length > 0))];
      if (distinct.length < 2) {
        skipped.push({ id: item.id, reason: `only ${distinct.length} distinct response(s) in ${n} samples` });
        continue;
      }
      const user = [...messages].reverse().find((m) => m.role === 'user')?.content ?? item.prompt ?? '';
      rows[i] = {
        id: item.id,
        prompt: user,
        ...(messages.length > 1 ? { messages } : {}),
        responses: distinct,
        ...(item.policy ? { policy: item.policy } : {}),
        ...(item.level !== undefined ? { level: item.level } : {}),
        expected: item.expected,
        kind: item.kind,
      };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(input.concurrency ?? 4, picked.length)) }, worker));
  return { rows: rows.filter((r): r is GeneratedPrompt => r !== null), skipped, requests };
}

/** Pairs from a ranked row: the best response against each lower-ranked one (ranking: 1-based positions, best first). */
export function pairsFromRanking(row: { prompt: string; messages?: Message[]; responses: string[]; ranking: number[]; policy?: string; aspect?: string }): {
  prompt: string;
  messages?: Message[];
  chosen: string;
  rejected: string;
  policy?: string;
  aspect?: string;
}[] {
  const best = row.responses[row.ranking[0]! - 1];
  if (best === undefined) return [];
  return row.ranking.slice(1).flatMap((r) => {
    const rej = row.responses[r - 1];
    return rej === undefined
      ? []
      : [{ prompt: row.prompt, ...(row.messages ? { messages: row.messages } : {}), chosen: best, rejected: rej, ...(row.policy ? { policy: row.policy } : {}), ...(row.aspect ? { aspect: row.aspect } : {}) }];
  });
}

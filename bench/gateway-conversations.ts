/**
 * Over-refusal of benign conversations when the gateway reads every message
 * (`npm run bench:gateway-conversations`). Benign multi-turn conversations (a typical system
 * prompt, three everyday user requests with short assistant replies between them) go through
 * POST /v1/guard of an in-process gateway (real policy guard, default pack, shipped model); the
 * share refused or deflected is printed for: the last user message alone, each user message when
 * it was the last (a conversation is blocked if any of its turns was: what a gateway reading only
 * the last user message does over the whole chat, the fair baseline), every message with
 * `input.context: same` (the default) and with `refuse-only`, with the roles that decided.
 *
 * User requests: a seeded sample of ../shared/training/prompts/clinc_everyday.jsonl (benign
 * everyday assistant queries) when that folder exists, else the default pack's benign examples.
 *
 * Then the decision cache on a realistic multi-turn mix: each conversation is replayed as a
 * client sends it (turn k resends the system prompt and every earlier message), through a gateway
 * with the decision cache (the default) and one without (the baseline, same run, interleaved):
 * hit rate (from the gateway's /metrics), CPU time and wall time per request, and their ratios.
 * Options: --n N conversations (default 300), --seed N, --json.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readJsonlObjects } from '../src/core/jsonl.js';
import { defaultPackPath, packageRoot } from '../src/core/paths.js';
import { prng } from '../src/core/random.js';
import { createGateway } from '../src/gateway/server.js';
import { createGuard } from '../src/guard/index.js';
import { loadPack } from '../src/policy/load.js';

const { values: args } = parseArgs({ options: { n: { type: 'string', default: '300' }, seed: { type: 'string', default: '7' }, json: { type: 'boolean', default: false } }, strict: false });
const N = Number(args.n) || 300;

/** System prompts and assistant replies of the kind deployments use (written for this benchmark). */
const SYSTEM = [
  'You are a helpful assistant for a bank and travel app.',
  'You are a friendly customer support agent for an online shoe shop. Keep answers short.',
  'Answer as concisely as possible. Use British English.',
  'You help employees of a logistics company with everyday questions. Be polite and precise.',
];
const REPLIES = ['Sure, here is what I found.', 'Happy to help with that.', 'Done. Is there anything else?', 'Here are the details you asked for.'];

async function main(): Promise<void> {
  const pack = loadPack(defaultPackPath).pack;
  const clinc = join(packageRoot, '..', 'shared', 'training', 'prompts', 'clinc_everyday.jsonl');
  const source = existsSync(clinc) ? 'clinc_everyday (../shared/training)' : 'default pack benign examples';
  const prompts = existsSync(clinc)
    ? readJsonlObjects(clinc, 'clinc_everyday').rows.flatMap((r) => (typeof r.row.text === 'string' && r.row.label === 'safe' ? [r.row.text] : []))
    : pack.examples.filter((e) => e.policy === null).map((e) => e.text);
  const rnd = prng(Number(args.seed));
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;

  const guard = createGuard({ pack });
  const gateways = {
    same: createGateway({ guard, pack, config: { decisionCache: 0 } }),
    refuseOnly: createGateway({ guard, pack, config: { decisionCache: 0, input: { context: 'refuse-only' } } }),
  };
  const urls = { same: (await gateways.same.listen({ port: 0, host: '127.0.0.1' })).url, refuseOnly: (await gateways.refuseOnly.listen({ port: 0, host: '127.0.0.1' })).url };
  const ask = async (url: string, body: unknown): Promise<{ action: string; reasons: string[] }> =>
    (await (await fetch(`${url}/v1/guard`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as { action: string; reasons: string[] };
  const blocked = (a: string): boolean => a === 'refuse' || a === 'deflect';

  const count = { lastUser: 0, anyTurn: 0, same: 0, refuseOnly: 0 };
  const conversations: { role: string; content: string }[][] = [];
  const decidedBy: Record<string, number> = {};
  try {
    for (let i = 0; i < N; i++) {
      const users = [pick(prompts), pick(prompts), pick(prompts)];
      const messages = [
        { role: 'system', content: pick(SYSTEM) },
        { role: 'user', content: users[0] },
        { role: 'assistant', content: pick(REPLIES) },
        { role: 'user', content: users[1] },
        { role: 'assistant', content: pick(REPLIES) },
        { role: 'user', content: users[2] },
      ];
      conversations.push(messages.map((m) => ({ role: m.role, content: m.content ?? '' })));
      const turns = await Promise.all(users.map(async (u) => blocked((await ask(urls.same, { text: u })).action)));
      if (turns[2]) count.lastUser++;
      if (turns.some(Boolean)) count.anyTurn++;
      const d = await ask(urls.same, { messages });
      if (blocked(d.action)) {
        count.same++;
        const role = /\(([a-z]+)\), (request|context)/.exec(d.reasons[0] ?? '');
        const key = role ? `${role[1]} (${role[2]})` : 'joined';
        decidedBy[key] = (decidedBy[key] ?? 0) + 1;
      }
      if (blocked((await ask(urls.refuseOnly, { messages })).action)) count.refuseOnly++;
    }
  } finally {
    await gateways.same.close();
    await gateways.refuseOnly.close();
  }
  const share = (k: number): number => k / N;
  const cache = await replay(guard, pack, conversations);
  const result = { conversations: N, source, blocked: { lastUserOnly: share(count.lastUser), anyUserTurn: share(count.anyTurn), everyMessage: share(count.same), everyMessageRefuseOnly: share(count.refuseOnly) }, decidedBy, cache };
  if (args.json) return void process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  process.stdout.write(
    [
      `benign conversations: ${N} (system prompt + 3 user requests from ${source} + 2 assistant replies)`,
      `  blocked, last user message only        ${pct(result.blocked.lastUserOnly)}`,
      `  blocked, any user turn when it was last ${pct(result.blocked.anyUserTurn)}   (a last-user-only gateway over the whole chat)`,
      `  blocked, every message (context same)   ${pct(result.blocked.everyMessage)}`,
      `  blocked, every message (refuse-only)    ${pct(result.blocked.everyMessageRefuseOnly)}`,
      `  decided by (context same): ${Object.entries(decidedBy).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
      `decision cache, ${cache.requests} requests (each conversation replayed turn by turn, history resent; ${cache.rounds} interleaved rounds, medians):`,
      `  hit rate ${pct(cache.hitRate)} (${cache.hits} hits, ${cache.misses} misses, from /metrics)`,
      `  cache on:  cpu ${cache.on.cpuMsPerRequest.toFixed(3)} ms/request, wall ${cache.on.wallMsPerRequest.toFixed(3)} ms/request`,
      `  cache off: cpu ${cache.off.cpuMsPerRequest.toFixed(3)} ms/request, wall ${cache.off.wallMsPerRequest.toFixed(3)} ms/request (baseline)`,
      `  ratio on/off: cpu ${cache.ratio.cpu.toFixed(2)}x, wall ${cache.ratio.wall.toFixed(2)}x   (client and gateway share this process)`,
      '',
    ].join('\n'),
  );
}

type Message = { role: string; content: string };

/** Replay conversations turn by turn (turn k sends messages up to its k-th user message) through a
 * gateway with the decision cache and one without; rounds alternate which goes first. */
async function replay(guard: ReturnType<typeof createGuard>, pack: ReturnType<typeof loadPack>['pack'], conversations: Message[][]) {
  const requests = conversations.flatMap((m) => m.flatMap((x, i) => (x.role === 'user' ? [m.slice(0, i + 1)] : [])));
  const post = async (url: string, messages: Message[]): Promise<void> => {
    const r = await fetch(`${url}/v1/guard`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages }) });
    await r.arrayBuffer();
  };
  const ROUNDS = 3;
  const on: { cpu: number; wall: number }[] = [];
  const off: { cpu: number; wall: number }[] = [];
  let stats = { hits: 0, misses: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    for (const which of round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      // A fresh gateway per run: the cache starts empty, as after a deploy.
      const gw = createGateway({ guard, pack, config: which === 'on' ? {} : { decisionCache: 0 } });
      const { url } = await gw.listen({ port: 0, host: '127.0.0.1' });
      try {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        for (const m of requests) await post(url, m);
        const c = process.cpuUsage(c0);
        const sample = { cpu: (c.user + c.system) / 1000 / requests.length, wall: (performance.now() - t0) / requests.length };
        (which === 'on' ? on : off).push(sample);
        if (which === 'on') {
          const metrics = await (await fetch(`${url}/metrics`)).text();
          const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? 0);
          stats = { hits: value('pillars_gateway_decision_cache_hits_total'), misses: value('pillars_gateway_decision_cache_misses_total') };
        }
      } finally {
        await gw.close();
      }
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const sum = (xs: { cpu: number; wall: number }[]) => ({ cpuMsPerRequest: median(xs.map((x) => x.cpu)), wallMsPerRequest: median(xs.map((x) => x.wall)) });
  const a = sum(on);
  const b = sum(off);
  return {
    requests: requests.length,
    rounds: ROUNDS,
    hits: stats.hits,
    misses: stats.misses,
    hitRate: stats.hits / Math.max(1, stats.hits + stats.misses),
    on: a,
    off: b,
    ratio: { cpu: a.cpuMsPerRequest / b.cpuMsPerRequest, wall: a.wallMsPerRequest / b.wallMsPerRequest },
  };
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:gateway-conversations: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});

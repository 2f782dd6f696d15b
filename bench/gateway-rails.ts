/**
 * The runtime guardrails' added latency (issue 18, part A): `npm run bench:rails`.
 *
 * One process: a local upstream stub and one gateway per configuration, all with the real policy
 * guard (shipped model, default pack) and the decision cache off (every request pays for every
 * check). The same requests are sent one at a time, round-robin over the configurations (so a
 * busy machine slows them all alike), and each configuration's p50 / mean latency is compared
 * with its baseline measured in the same run: the gateway with the rails off for the same
 * request shape. Then each check alone, as a function call on the same texts (microseconds).
 *
 * Options: --requests N (per configuration, default 200), --json.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { defaultPackPath } from '../src/core/paths.js';
import { createTracing } from '../src/core/trace.js';
import type { GatewayConfigInput } from '../src/gateway/config.js';
import { stripInvisible } from '../src/gateway/invisible.js';
import { identifyLanguage } from '../src/gateway/language.js';
import { formatOf, formatProblem } from '../src/gateway/response-format.js';
import { createGateway, type Gateway } from '../src/gateway/server.js';
import { createToolPolicy } from '../src/gateway/tools-policy.js';
import { EscalationConfig, ToolsConfig } from '../src/gateway/rails-config.js';
import { createEscalationTracker } from '../src/gateway/escalation.js';
import { checkUrls } from '../src/gateway/urls.js';
import { createGuard } from '../src/guard/index.js';
import { loadPack } from '../src/policy/load.js';
import { startUpstreamStub } from '../src/targets/testing/openai-stub.js';

const { values: args } = parseArgs({ options: { requests: { type: 'string', default: '200' }, json: { type: 'boolean', default: false } } });
const N = Number(args.requests);

const PROMPT =
  'I run the operations team at a mid-sized logistics company and we are preparing our quarterly review. ' +
  'Could you help me draft a short summary of the main points below, in plain language for the board? ' +
  'On-time delivery improved from 91% to 95% after we rerouted the northern depot, fuel costs rose by about 8%, ' +
  'and customer complaints fell by a fifth. Please keep it under two hundred words and use a neutral tone. ' +
  'See https://docs.acme.example/quarterly for last quarter’s version.';
const ANSWER =
  'Quarterly operations summary. On-time delivery rose from 91% to 95% after the northern depot was rerouted. ' +
  'Fuel costs increased by roughly 8% following the August price rise, partly offset by the new route planning ' +
  'tool. Customer complaints fell by about a fifth, largely thanks to the new SMS delivery alerts. Last ' +
  'quarter’s summary is at https://docs.acme.example/quarterly and the chart is ![chart](https://docs.acme.example/chart.png).';
const JSON_ANSWER = '{"summary": "On-time delivery rose to 95%; fuel costs up 8%; complaints down a fifth.", "questions": ["How will fuel costs be contained?", "What does the delay risk?"]}';
const SCHEMA = { type: 'object', properties: { summary: { type: 'string' }, questions: { type: 'array', items: { type: 'string' } } }, required: ['summary', 'questions'] };
const TOOL_ARGS = '{"query":"quarterly logistics benchmarks on-time delivery 2026"}';
const TOOLS = [{ type: 'function', function: { name: 'search', description: 'Search the web', parameters: { type: 'object', properties: { query: { type: 'string' } } } } }];
const HISTORY = [
  { role: 'user', content: 'What does a logistics operations team usually report each quarter?' },
  { role: 'assistant', content: 'Usually delivery performance, costs, staffing and incidents.' },
  { role: 'user', content: PROMPT },
];

/** Rails off: the baseline (invisible-character and image checks are on by default, so they are turned off here). */
const OFF: GatewayConfigInput = { checks: { invisible: 'off', urls: { images: 'allow' }, responseFormat: 'off' } };

interface Case {
  name: string;
  what: string;
  config: GatewayConfigInput;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
  traced?: boolean;
}

const plain = { model: 'm', messages: [{ role: 'user', content: PROMPT }] };
const withTools = { ...plain, tools: TOOLS };
const withFormat = { ...plain, response_format: { type: 'json_schema', json_schema: { name: 'summary', schema: SCHEMA } } };
const withHistory = { model: 'm', messages: HISTORY };

const CASES: Case[] = [
  { name: 'baseline', what: 'rails off (plain request)', config: OFF, body: plain },
  { name: 'defaults', what: 'default rails (invisible strip, image exfiltration, format annotate)', config: {}, body: plain },
  { name: 'invisible', what: 'invisible Unicode strip + flag', config: { ...OFF, checks: { ...OFF.checks, invisible: 'strip' } }, body: plain },
  { name: 'urls', what: 'URL allow-list + image exfiltration', config: { ...OFF, checks: { ...OFF.checks, urls: { allow: ['acme.example'], images: 'refuse' } } }, body: plain },
  { name: 'language', what: 'language allow-list + same-language output', config: { ...OFF, checks: { ...OFF.checks, languages: { allow: ['en'] } } }, body: plain },
  { name: 'shadow', what: 'shadow mode (all policies)', config: { ...OFF, shadow: { policies: ['*'] } }, body: plain },
  { name: 'budget', what: 'latency budget header (5 s)', config: OFF, body: plain, headers: { 'x-pillars-latency-budget-ms': '5000' } },
  { name: 'trace', what: 'OpenTelemetry spans, OTLP/HTTP to a local collector', config: OFF, body: plain, traced: true },
  { name: 'baseline-history', what: 'rails off (3-message conversation)', config: OFF, body: withHistory },
  { name: 'escalation', what: 'conversation escalation (prefix hash, trajectory)', config: { ...OFF, escalation: { enabled: true } }, body: withHistory },
  { name: 'baseline-tools', what: 'rails off (tools offered, tool call answered)', config: OFF, body: withTools },
  { name: 'tools', what: 'tool rules + argument patterns + injection check of the arguments', config: { ...OFF, tools: { byTier: { public: [{ name: 'search', args: { query: '[^;|&`$]{1,200}' } }] } } }, body: withTools },
  { name: 'baseline-format', what: 'rails off (response_format json_schema)', config: OFF, body: withFormat },
  { name: 'format', what: 'response_format JSON-schema validation', config: { ...OFF, checks: { ...OFF.checks, responseFormat: 'refuse' } }, body: withFormat },
];
const BASELINE: Record<string, string> = { 'baseline-history': 'baseline-history', escalation: 'baseline-history', 'baseline-tools': 'baseline-tools', tools: 'baseline-tools', 'baseline-format': 'baseline-format', format: 'baseline-format' };

async function main(): Promise<void> {
  const pack = loadPack(defaultPackPath).pack;
  const guard = createGuard({ pack });
  const stub = await startUpstreamStub({
    record: false,
    respond: (r) => (r.model === 'tools' ? { content: '', tool_calls: [{ name: 'search', arguments: TOOL_ARGS }] } : r.model === 'format' ? JSON_ANSWER : ANSWER),
  });
  let exported = 0;
  const collector = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      exported++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  const collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`;

  const gateways: { c: Case; gw: Gateway; url: string; lat: number[] }[] = [];
  for (const c of CASES) {
    const tracing = c.traced ? createTracing({ endpoint: collectorUrl, serviceName: 'bench' }) : undefined;
    const gw = createGateway({ guard, pack, upstream: stub.url, config: { decisionCache: 0, ...c.config }, tracing });
    const { url } = await gw.listen({ port: 0, host: '127.0.0.1' });
    gateways.push({ c, gw, url, lat: [] });
  }
  const send = async (g: (typeof gateways)[number]): Promise<number> => {
    const model = g.c.body === withTools ? 'tools' : g.c.body === withFormat ? 'format' : 'm';
    const t = performance.now();
    const r = await fetch(`${g.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...g.c.headers }, body: JSON.stringify({ ...g.c.body, model }) });
    await r.text();
    if (r.status !== 200 || r.headers.get('x-pillars-decision') !== 'allow') throw new Error(`${g.c.name}: ${r.status} ${r.headers.get('x-pillars-decision')} ${r.headers.get('x-pillars-flags') ?? ''}`);
    return performance.now() - t;
  };
  // Warm-up (JIT, connections), then round-robin.
  for (let i = 0; i < 20; i++) for (const g of gateways) await send(g);
  for (let i = 0; i < N; i++) for (const g of gateways) g.lat.push(await send(g));
  for (const g of gateways) await g.gw.close();
  await stub.close();
  await new Promise<void>((r) => collector.close(() => r()));

  const stat = (xs: number[]): { p50: number; mean: number } => {
    const s = [...xs].sort((a, b) => a - b);
    return { p50: s[Math.floor(s.length / 2)]!, mean: s.reduce((a, b) => a + b, 0) / s.length };
  };
  const byName = new Map(gateways.map((g) => [g.c.name, stat(g.lat)]));
  const rows = gateways.map((g) => {
    const s = byName.get(g.c.name)!;
    const base = byName.get(BASELINE[g.c.name] ?? 'baseline')!;
    return { check: g.c.name, what: g.c.what, p50Ms: s.p50, meanMs: s.mean, addedP50Ms: s.p50 - base.p50, ratioP50: s.p50 / base.p50 };
  });

  // Each check alone, as a function call on the same texts.
  const micro = (name: string, fn: () => unknown, reps = 20_000): { check: string; usPerCall: number } => {
    for (let i = 0; i < 1000; i++) fn();
    const t = performance.now();
    for (let i = 0; i < reps; i++) fn();
    return { check: name, usPerCall: ((performance.now() - t) * 1000) / reps };
  };
  const tools = createToolPolicy(ToolsConfig.parse({ byTier: { public: [{ name: 'search', args: { query: '[^;|&`$]{1,200}' } }] } }));
  const tracker = createEscalationTracker(EscalationConfig.parse({ enabled: true }), pack);
  const spec = formatOf(withFormat)!;
  const d = { action: 'allow' as const, policy: 'safety.cbrn', pillar: 'safety' as const, topic: 'cbrn', level: 1, score: 0.5, stage: 'embedded' as const, reasons: [] };
  let k = 0;
  const micros = [
    micro('invisible (prompt + answer)', () => [stripInvisible(PROMPT), stripInvisible(ANSWER)]),
    micro('urls (answer)', () => checkUrls(ANSWER, { allow: ['acme.example'], images: 'refuse' })),
    micro('language (prompt + answer)', () => [identifyLanguage(PROMPT), identifyLanguage(ANSWER)]),
    micro('format (json_schema)', () => formatProblem(JSON_ANSWER, spec)),
    micro('tools (rule match)', () => tools.rule({ tier: 'public', keyId: null }, { where: 'x', name: 'search', arguments: TOOL_ARGS })),
    micro('escalation (observe a step)', () => tracker.observe({ bucket: 'b', conversationId: `c${k++ % 1000}`, userTurns: [PROMPT], decision: d, tier: 'public', context: null })),
  ];

  if (args.json) {
    process.stdout.write(`${JSON.stringify({ requests: N, spansExported: exported, rows, micros }, null, 2)}\n`);
    return;
  }
  const f = (x: number): string => x.toFixed(2);
  process.stdout.write(`gateway rails: ${N} sequential requests per configuration, round-robin, real guard, decision cache off\n\n`);
  process.stdout.write(`${'check'.padEnd(18)} ${'p50 ms'.padStart(8)} ${'mean ms'.padStart(8)} ${'+p50 ms'.padStart(8)} ${'ratio'.padStart(6)}  what\n`);
  for (const r of rows) process.stdout.write(`${r.check.padEnd(18)} ${f(r.p50Ms).padStart(8)} ${f(r.meanMs).padStart(8)} ${f(r.addedP50Ms).padStart(8)} ${f(r.ratioP50).padStart(6)}  ${r.what}\n`);
  process.stdout.write(`\n(the ratio is against the baseline of the same request shape; OTLP export requests received: ${exported})\n\neach check alone:\n`);
  for (const m of micros) process.stdout.write(`  ${m.check.padEnd(30)} ${m.usPerCall.toFixed(2).padStart(8)} µs\n`);
}

void main();

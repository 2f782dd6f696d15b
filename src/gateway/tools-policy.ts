import { UserError } from '../core/errors.js';
import type { RiskControl } from '../policy/risk.js';
import type { ApprovalStore, ToolApproval } from '../store/approvals.js';
import type { Awaitable } from '../core/maybe.js';
import type { UpChoice } from './output-channels.js';
import type { ToolRule, ToolsConfig } from './rails-config.js';

/**
 * Which tools an agent may call, per tier and per key: rules with a tool name and argument
 * patterns, each with an action (`allow`, `refuse`, `approve`: held for a reviewer in the review
 * app). Rules are tried key first, then tier, in order; the first that matches decides. A caller
 * with no rules at all is not restricted; one with rules gets `otherwise` for a call none matches.
 */

export interface ToolCall {
  /** e.g. `choices[0].message.tool_calls[1]`. */
  where: string;
  name: string;
  arguments: string;
}

export interface ToolRuling {
  call: ToolCall;
  action: 'allow' | 'refuse' | 'approve';
  reason: string;
}

interface CompiledRule {
  rule: ToolRule;
  at: string;
  args: [string, RegExp][];
}

export interface ToolPolicy {
  /** True when this caller has rules (its tool calls are checked). */
  applies(caller: { tier: string; keyId: string | null }): boolean;
  rule(caller: { tier: string; keyId: string | null }, call: ToolCall): ToolRuling;
}

/** Compile the patterns (a bad one is a configuration error naming its field). */
export function createToolPolicy(cfg: ToolsConfig): ToolPolicy {
  const compile = (rules: ToolRule[], at: string): CompiledRule[] =>
    rules.map((rule, i) => ({
      rule,
      at: `${at}[${i}]`,
      args: Object.entries(rule.args).map(([k, p]) => {
        try {
          return [k, new RegExp(`^(?:${p})$`, 'su')] as [string, RegExp];
        } catch (e) {
          throw new UserError(`gateway.${at}[${i}].args.${k}: invalid regular expression: ${(e as Error).message}`, { code: 'config', exitCode: 2 });
        }
      }),
    }));
  const byTier = new Map(Object.entries(cfg.byTier).map(([t, r]) => [t, compile(r, `tools.byTier.${t}`)]));
  const byKey = new Map(Object.entries(cfg.byKey).map(([k, r]) => [k, compile(r, `tools.byKey.${k}`)]));
  const rulesOf = (c: { tier: string; keyId: string | null }): CompiledRule[] | null => {
    const k = c.keyId !== null ? byKey.get(c.keyId) : undefined;
    const t = byTier.get(c.tier);
    if (!k && !t) return null;
    return [...(k ?? []), ...(t ?? [])];
  };
  return {
    applies: (c) => rulesOf(c) !== null,
    rule(c, call) {
      const rules = rulesOf(c);
      if (!rules) return { call, action: 'allow', reason: 'no tool rules for this caller' };
      let args: Record<string, unknown> | null = null;
      try {
        const v = JSON.parse(call.arguments || '{}') as unknown;
        args = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
      } catch {
        args = null;
      }
      for (const r of rules) {
        if (r.rule.name !== '*' && r.rule.name !== call.name) continue;
        if (r.args.length > 0) {
          if (!args) continue;
          const ok = r.args.every(([k, re]) => {
            const v = args![k];
            if (v === undefined) return false;
            return re.test(typeof v === 'string' ? v : JSON.stringify(v));
          });
          if (!ok) continue;
        }
        return { call, action: r.rule.action, reason: `tool ${call.name}: gateway.${r.at} (${r.rule.action})` };
      }
      return { call, action: cfg.otherwise, reason: `tool ${call.name}: no rule matches its name and arguments (gateway.tools.otherwise: ${cfg.otherwise})` };
    },
  };
}

/** The tool calls of a non-streamed answer (every choice; legacy `function_call` too). */
export function toolCalls(choices: UpChoice[]): ToolCall[] {
  const out: ToolCall[] = [];
  choices.forEach((c, n) => {
    const m = c.message;
    if (!m) return;
    (Array.isArray(m.tool_calls) ? m.tool_calls : []).forEach((t, k) => {
      const fn = (t as { function?: { name?: unknown; arguments?: unknown } })?.function;
      out.push({ where: `choices[${n}].message.tool_calls[${k}]`, name: typeof fn?.name === 'string' ? fn.name : '', arguments: typeof fn?.arguments === 'string' ? fn.arguments : '' });
    });
    const f = m.function_call as { name?: unknown; arguments?: unknown } | undefined;
    if (f && typeof f === 'object') out.push({ where: `choices[${n}].message.function_call`, name: typeof f.name === 'string' ? f.name : '', arguments: typeof f.arguments === 'string' ? f.arguments : '' });
  });
  return out;
}

/**
 * Hold a call for a reviewer: add it to the approvals and wait until it is decided, the wait runs
 * out (`expired`) or the client leaves (`abandoned`).
 */
export async function awaitApproval(
  store: Awaitable<ApprovalStore>,
  input: { requestId: string; keyId: string | null; tier: string; tool: string; arguments: string; reason: string },
  opts: { timeoutMs: number; pollMs: number; signal?: AbortSignal },
): Promise<ToolApproval> {
  const a = await store.add(input);
  const until = Date.now() + opts.timeoutMs;
  for (;;) {
    const cur = await store.get(a.id);
    if (cur && cur.status !== 'pending') return cur;
    if (opts.signal?.aborted) return (await store.close(a.id, 'abandoned')) ?? a;
    if (Date.now() >= until) return (await store.close(a.id, 'expired')) ?? a;
    await new Promise((r) => setTimeout(r, Math.min(opts.pollMs, Math.max(1, until - Date.now()))));
  }
}

/**
 * The risk register's view of the tool rules (`pillars risk assess`): rules that refuse or hold
 * tool calls for a person cover the `excessive_agency` harm (an agent acting without confirmation).
 */
export function toolRiskControls(cfg: ToolsConfig): RiskControl[] {
  const rules = [...Object.values(cfg.byTier), ...Object.values(cfg.byKey)].flat();
  if (rules.length === 0) return [];
  const approve = rules.filter((r) => r.action === 'approve').length;
  const refuse = rules.filter((r) => r.action === 'refuse').length;
  if (approve === 0 && refuse === 0 && cfg.otherwise === 'allow') return [];
  const who = `${Object.keys(cfg.byTier).length} tier(s), ${Object.keys(cfg.byKey).length} key(s)`;
  return [{ id: 'gateway.tools', topic: 'excessive_agency', treatment: `gateway.tools: ${rules.length} tool rule(s) for ${who}; ${approve} held for a reviewer's approval, ${refuse} refused; other calls: ${cfg.otherwise}` }];
}

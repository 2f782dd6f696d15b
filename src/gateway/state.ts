import { sha256 } from '../core/hash.js';
import type { Ctx, Decision, Guard, GuardInput, Logger, PiiSpan } from '../core/types.js';
import type { AuditEntry, AuditLog } from './audit.js';
import type { CpuSlicer } from './cpu-slicer.js';
import type { DecisionCache } from './decision-cache.js';
import type { GatewayConfig } from './config.js';
import type { KeyStore } from './keys.js';
import type { Awaitable } from '../core/maybe.js';
import type { AnomalyDetector, RateLimiter } from './limits.js';
import type { GatewayMetrics } from './metrics.js';
import type { Upstream } from './upstream.js';
import type { Rails, RequestRails } from './rails.js';
import type { GatewayExtension } from './extensions.js';
import type { Aligner } from '../align/aligner.js';
import type { IncomingHttpHeaders } from 'node:http';

/** What every handler of one gateway shares (no globals: one of these per gateway). */
export interface GatewayState {
  cfg: GatewayConfig;
  guard: Guard;
  upstream: Upstream | null;
  keys: Awaitable<KeyStore> | null;
  audit: AuditLog | null;
  metrics: GatewayMetrics;
  limiter: RateLimiter;
  anomaly: AnomalyDetector;
  isTrusted(tier: string): boolean;
  /** Adapter name → who may be routed to it (from the pack's exceptions). */
  adapters: Map<string, { policy: string; context: string; tiers: string[] }>;
  /** Contexts the pack knows (declared or named by an exception); null without a pack. */
  contexts: Set<string> | null;
  redact?: (text: string) => { text: string; spans: PiiSpan[] };
  log: Logger;
  ctx: Ctx;
  now(): Date;
  /** Recent guard decisions by text (clients resend their history with every request). */
  decisions: DecisionCache;
  /** Guard checks run in slices with the event loop free between them (cpu-slicer.ts). */
  slicer: CpuSlicer;
  /** Bytes of request bodies held now (against `cfg.bodyBudget`). */
  bodies: { held: number };
  /** Request ids: a random per-process prefix and a counter (unique, cheap). */
  idPrefix: string;
  seq: number;
  /** The runtime guardrails (rails.ts): tools, escalation, shadow, traces, extra checks. */
  rails: Rails;
  /** Checks plugged into the chat route (grounding, scope: extensions.ts). */
  extensions?: readonly GatewayExtension[];
  /** Images and audio mapped into text before the guard (src/align/, input-media.ts). */
  aligner: Aligner | null;
}

/** One request's caller, as the gateway resolved it. */
export interface Caller {
  requestId: string;
  t0: number;
  tier: string;
  keyId: string | null;
  context: string | null;
  /** Rate limits and anomaly windows are kept per key (or per client address without one). */
  bucket: string;
  /** What the rails learn about this request (rails.ts). */
  rails?: RequestRails;
  /** The request's headers (extensions read theirs, e.g. `x-pillars-sources`). */
  headers?: IncomingHttpHeaders;
}

export { sha256 };

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the guard did not decide within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Run the guard, timing it; when it throws, fail closed (refuse) or open as configured. */
export async function guardCheck(state: GatewayState, input: GuardInput): Promise<Decision> {
  return (await guardTry(state, input)).decision;
}

/** `guardCheck`, saying whether the decision is the guard's own (`failed`: the fail-closed/open stand-in). */
export async function guardTry(state: GatewayState, input: GuardInput): Promise<{ decision: Decision; failed: boolean }> {
  const t = performance.now();
  try {
    // The budget starts when the check does (not while it waits its turn in the slicer's queue).
    const decision = await state.slicer.run(() => withTimeout(Promise.resolve(state.guard.check(input, state.ctx)), state.cfg.timeouts.guardMs));
    return { decision, failed: false };
  } catch (e) {
    const why = (e as Error)?.message ?? String(e);
    state.log.error({ err: why, direction: input.role }, 'guard check failed');
    state.metrics.upstreamErrors.inc({ kind: 'guard_error' });
    const base = { policy: null, pillar: null, topic: null, level: null, score: 0, stage: 'embedded' as const };
    if (state.cfg.failClosed) {
      return {
        failed: true,
        decision: {
          ...base,
          action: 'refuse',
          reasons: [`guard error: ${why}`, 'failClosed: refused because the guard could not check the text'],
          message: 'The safety guard could not check this request, so the gateway refused it (fail closed). Please try again later.',
        },
      };
    }
    return { failed: true, decision: { ...base, action: 'allow', reasons: [`guard error: ${why}`, 'failClosed is off: forwarded unchecked'] } };
  } finally {
    state.metrics.guardSeconds.observe({ direction: input.role ?? 'input' }, (performance.now() - t) / 1000);
  }
}

/** The compact form of a decision kept in the audit detail. */
export function decisionSummary(d: Decision): Record<string, unknown> {
  return {
    action: d.action,
    policy: d.policy,
    topic: d.topic,
    level: d.level,
    score: d.score,
    stage: d.stage,
    reasons: d.reasons,
    exception: d.exception ?? null,
    pii: d.pii?.map((p) => p.type) ?? [],
  };
}

export function auditEntry(state: GatewayState, caller: Caller, route: string, final: Decision, monitoring: 'full' | 'standard', detail: Record<string, unknown>): AuditEntry {
  return {
    ts: state.now().toISOString(),
    requestId: caller.requestId,
    keyId: caller.keyId,
    tier: caller.tier,
    context: caller.context,
    route,
    action: final.action,
    policy: final.policy,
    pillar: final.pillar,
    topic: final.topic,
    level: final.level,
    score: final.score,
    stage: final.stage,
    monitoring,
    detail: { ...detail, latencyMs: Math.round((performance.now() - caller.t0) * 1000) / 1000 },
  };
}

/** The text shown to a refused or deflected caller: the decision's message, naming the policy. */
export function refusalText(d: Decision): string {
  const policy = d.policy ?? 'the gateway policy';
  const msg = d.message?.trim() || (d.action === 'deflect' ? 'I can only help with this topic at a general level.' : 'I can’t help with that request.');
  return msg.includes(policy) ? msg : `${msg} (policy: ${policy})`;
}

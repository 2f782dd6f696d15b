import { unreadableAction } from '../align/config.js';
import { mediaParts } from '../align/media.js';
import type { Decision } from '../core/types.js';
import type { InputConfig } from './config.js';
import { messageKinds, type InputSegment } from './input-channels.js';
import type { ChatRequest } from './openai.js';
import type { Caller, GatewayState } from './state.js';

/**
 * The input seam for images and audio: every media part of the request goes through the aligner
 * (src/align/), and what it read becomes segments the guard decides like any other text of the
 * request (joined with the turn's own words too). A part nothing could read gets the unreadable
 * action of the caller's tier and the part's modality: a refusal naming the part and the reason,
 * or (`forward`) a segment marked unread, recorded in the audit.
 */

export interface MediaInput {
  /** Texts read from media parts (`place: fixed`: never rewritten). */
  segments: InputSegment[];
  /** Unreadable parts: a refusal, or an allow marked unread (forwarded). */
  unread: { seg: InputSegment; decision: Decision }[];
}

const NONE: MediaInput = { segments: [], unread: [] };

export async function mediaInput(state: GatewayState, caller: Caller, body: ChatRequest, cfg: InputConfig): Promise<MediaInput> {
  const parts = mediaParts(body.messages);
  if (parts.length === 0 || !state.aligner) return NONE;
  const kinds = messageKinds(body, cfg);
  const aligned = await state.aligner.alignAll(parts);
  const out: MediaInput = { segments: [], unread: [] };
  for (const a of aligned) {
    const p = a.part;
    const base = { msg: p.msg, role: p.role, ...kinds[p.msg]!, place: { at: 'fixed' } } as const;
    if (a.unreadable !== undefined) {
      const action = unreadableAction(state.cfg.align, caller.tier, p.modality);
      const why = `unreadable ${p.modality} at ${p.where}: ${a.unreadable}`;
      const seg: InputSegment = { ...base, where: `${p.where} (${p.role}, ${p.modality}: unread)`, text: '', media: `${p.modality}: unread`, unread: true };
      const decision: Decision =
        action === 'refuse'
          ? {
              action: 'refuse',
              policy: null,
              pillar: null,
              topic: null,
              level: null,
              score: 1,
              stage: 'embedded',
              reasons: [why, `gateway.align.unreadable (${p.modality}, tier ${caller.tier}): refuse`],
              message: `The gateway could not read the ${p.modality} in ${p.where} (${a.unreadable}), and ${p.modality} it cannot read is not forwarded.`,
            }
          : { action: 'allow', policy: null, pillar: null, topic: null, level: null, score: 0, stage: 'embedded', reasons: [why, `gateway.align.unreadable (${p.modality}, tier ${caller.tier}): forward unread`], exception: null };
      out.unread.push({ seg, decision });
      continue;
    }
    for (const t of a.texts) {
      if (t.text.trim() === '') continue;
      out.segments.push({ ...base, where: `${p.where} (${p.role}, ${p.modality}: ${t.source})`, text: t.text, media: `${p.modality}: ${t.source}` });
    }
  }
  return out;
}

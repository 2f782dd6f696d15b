import { createHash } from 'node:crypto';
import type { AlignConfig } from './config.js';
import type { MediaPart } from './media.js';
import { OcrReader } from './ocr.js';
import { describeImage, transcribe } from './remote.js';

/**
 * The aligner: maps each image and audio part of a request into text the text policy can judge.
 * Images: embedded OCR (ocr.ts) and, when configured, a vision model's description, side by side;
 * audio: a configured speech model's transcript. A part none of them could read is `unreadable`
 * (with the reasons), and the caller applies the unreadable action of its tier and modality.
 * Results are remembered by content hash: clients resend the same image with every turn.
 */

export type AlignSource = 'ocr' | 'vision' | 'speech';

export interface AlignedText {
  source: AlignSource;
  text: string;
  /** 0..1: OCR's character confidence; 1 for a model's answer (it gives none). */
  confidence: number;
  ms: number;
}

export interface Alignment {
  part: MediaPart;
  texts: AlignedText[];
  /** Why nothing could read the part (absent when some aligner read it). */
  unreadable?: string;
  /** Aligners that failed while another succeeded (for the audit). */
  notes: string[];
}

type Read = Omit<Alignment, 'part'>;

export class Aligner {
  private ocr: OcrReader | null;
  private readonly cache = new Map<string, Read>();

  constructor(readonly cfg: AlignConfig) {
    this.ocr = cfg.ocr.enabled ? new OcrReader(cfg.ocr) : null;
  }

  /** Load the OCR models now (else on the first image). */
  warm(): void {
    this.ocr?.warm();
  }

  async close(): Promise<void> {
    await this.ocr?.close();
    this.ocr = null;
  }

  /** Every part, aligned in parallel (OCR itself reads one image at a time, in order). */
  alignAll(parts: readonly MediaPart[], signal?: AbortSignal): Promise<Alignment[]> {
    return Promise.all(parts.map((p) => this.align(p, signal)));
  }

  async align(part: MediaPart, signal?: AbortSignal): Promise<Alignment> {
    let bytes: Buffer;
    let mime: string;
    const src = part.source;
    if ('missing' in src) return { part, texts: [], unreadable: src.missing, notes: [] };
    if ('url' in src) {
      if (!this.cfg.fetchUrls) return { part, texts: [], unreadable: 'it is an http(s) URL and the gateway does not fetch image URLs (gateway.align.fetchUrls)', notes: [] };
      const got = await this.fetchImage(src.url, signal);
      if ('unreadable' in got) return { part, texts: [], unreadable: got.unreadable, notes: [] };
      ({ bytes, mime } = got);
    } else ({ bytes, mime } = src);

    const key = this.cfg.cache > 0 ? `${part.modality}:${createHash('sha256').update(bytes).digest('hex')}` : '';
    const hit = key ? this.cache.get(key) : undefined;
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return { part, ...hit };
    }
    const read = part.modality === 'image' ? await this.readImage(bytes, mime, signal) : await this.readAudio(bytes, mime, signal);
    // A timeout or a busy reader is not remembered: the same image may be read next time.
    if (key && (!read.unreadable || !/longer than|busy|closed/.test(read.unreadable))) {
      this.cache.set(key, read);
      if (this.cache.size > this.cfg.cache) this.cache.delete(this.cache.keys().next().value!);
    }
    return { part, ...read };
  }

  private async readImage(bytes: Buffer, mime: string, signal?: AbortSignal): Promise<Read> {
    if (bytes.length > this.cfg.ocr.maxBytes) return { texts: [], unreadable: `the image is ${bytes.length} bytes, more than gateway.align.ocr.maxBytes (${this.cfg.ocr.maxBytes})`, notes: [] };
    const tasks: Promise<AlignedText>[] = [];
    const names: AlignSource[] = [];
    if (this.ocr) {
      names.push('ocr');
      tasks.push(this.ocr.read(bytes).then((r) => ({ source: 'ocr' as const, text: r.text, confidence: r.confidence, ms: r.ms })));
    }
    const vision = this.cfg.vision;
    if (vision) {
      names.push('vision');
      const t0 = performance.now();
      const url = `data:${mime};base64,${bytes.toString('base64')}`;
      tasks.push(describeImage(vision, url, signal).then((text) => ({ source: 'vision' as const, text, confidence: 1, ms: performance.now() - t0 })));
    }
    if (tasks.length === 0) return { texts: [], unreadable: 'no image reader is configured (gateway.align.ocr.enabled is off and no gateway.align.vision)', notes: [] };
    return settle(names, await Promise.allSettled(tasks));
  }

  private async readAudio(bytes: Buffer, mime: string, signal?: AbortSignal): Promise<Read> {
    const speech = this.cfg.speech;
    if (!speech) return { texts: [], unreadable: 'no speech model is configured (gateway.align.speech)', notes: [] };
    if (bytes.length > speech.maxBytes) return { texts: [], unreadable: `the audio is ${bytes.length} bytes, more than gateway.align.speech.maxBytes (${speech.maxBytes})`, notes: [] };
    const t0 = performance.now();
    return settle(['speech'], await Promise.allSettled([transcribe(speech, bytes, mime, signal).then((text) => ({ source: 'speech' as const, text, confidence: 1, ms: performance.now() - t0 }))]));
  }

  private async fetchImage(url: string, signal?: AbortSignal): Promise<{ bytes: Buffer; mime: string } | { unreadable: string }> {
    const limit = this.cfg.fetchMaxBytes;
    const timeout = AbortSignal.timeout(this.cfg.fetchTimeoutMs);
    try {
      const r = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      if (!r.ok || !r.body) return { unreadable: `fetching its URL answered ${r.status}` };
      const chunks: Buffer[] = [];
      let n = 0;
      const reader = r.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        n += value.length;
        if (n > limit) {
          await reader.cancel();
          return { unreadable: `the image at its URL is more than gateway.align.fetchMaxBytes (${limit}) bytes` };
        }
        chunks.push(Buffer.from(value));
      }
      return { bytes: Buffer.concat(chunks), mime: (r.headers.get('content-type') ?? 'image/png').split(';')[0]!.trim() };
    } catch (e) {
      return { unreadable: timeout.aborted ? `fetching its URL took longer than ${this.cfg.fetchTimeoutMs} ms` : `fetching its URL failed (${(e as Error).message})` };
    }
  }
}

/** The texts of the aligners that succeeded; unreadable when none did. */
function settle(names: AlignSource[], results: PromiseSettledResult<AlignedText>[]): Read {
  const texts: AlignedText[] = [];
  const notes: string[] = [];
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') texts.push(r.value);
    else notes.push(`${names[i]}: ${(r.reason as Error)?.message ?? String(r.reason)}`);
  });
  return texts.length > 0 ? { texts, notes } : { texts, unreadable: notes.join('; '), notes: [] };
}

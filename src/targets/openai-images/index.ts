import { Aligner } from '../../align/aligner.js';
import { AlignConfig } from '../../align/config.js';
import { TargetError } from '../../core/errors.js';
import type { Ctx, GenerateRequest, Generation, Target } from '../../core/types.js';
import type { OpenAIImagesTargetConfig } from './entry.js';
import { fingerprintOf, networkError, readKey, snippet } from '../util.js';

/**
 * An image generator as a target: the last user message is the prompt, the images API answers
 * images (`b64_json`, or a `url` that is fetched), and each image is mapped into text (OCR, a
 * vision model's description) that becomes the generation's text. An image nothing could read
 * is reported as such in the text (the judges then see that the image could not be checked).
 */

interface ImagesResponse {
  data?: { b64_json?: string; url?: string; revised_prompt?: string }[];
}

export class OpenAIImagesTarget implements Target {
  readonly id: string;
  readonly fingerprint: string;
  private readonly aligner: Aligner;

  constructor(private readonly cfg: OpenAIImagesTargetConfig) {
    this.id = cfg.id;
    this.fingerprint = fingerprintOf(cfg);
    this.aligner = new Aligner(AlignConfig.parse({ ocr: { enabled: cfg.ocr }, vision: cfg.vision, fetchUrls: true, unreadable: { image: 'refuse' } }));
  }

  async generate(req: GenerateRequest, ctx: Ctx): Promise<Generation> {
    const prompt = [...req.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    const url = `${this.cfg.baseUrl.replace(/\/+$/, '')}/images/generations`;
    const key = readKey(this.id, this.cfg.apiKeyEnv, true);
    const t0 = performance.now();
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.cfg.headers ?? {}), ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ model: req.options?.model ?? this.cfg.model, prompt, n: 1, response_format: 'b64_json', ...(this.cfg.size ? { size: this.cfg.size } : {}) }),
        signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(this.cfg.timeoutMs)]),
      });
    } catch (e) {
      throw networkError(this.id, e, ctx.signal);
    }
    const text = await res.text();
    // A prompt the provider's own filter blocked is an answer (a refusal), not an error.
    if (res.status === 400 && /content_policy|safety|moderation/i.test(text)) return { text: `[the image generator refused the prompt: ${snippet(text)}]`, finishReason: 'content_filter', latencyMs: Math.round(performance.now() - t0) };
    if (!res.ok) throw new TargetError(`target ${this.id}: HTTP ${res.status} from ${url}: ${snippet(text)}`, { status: res.status, isRetryable: res.status >= 500 || res.status === 429 });
    let data: ImagesResponse;
    try {
      data = JSON.parse(text) as ImagesResponse;
    } catch {
      throw new TargetError(`target ${this.id}: the server answered with something that is not JSON: ${snippet(text)}`, { status: res.status, isRetryable: true });
    }
    const images = data.data ?? [];
    if (images.length === 0) throw new TargetError(`target ${this.id}: the response holds no image: ${snippet(text)}`, { status: res.status, isRetryable: false });
    const parts = await Promise.all(
      images.map(async (img, i) => {
        const source = img.b64_json ? { bytes: Buffer.from(img.b64_json, 'base64'), mime: 'image/png' } : img.url ? { url: img.url } : { missing: 'the response gave neither b64_json nor url' };
        const a = await this.aligner.align({ where: `data[${i}]`, msg: 0, role: 'assistant', type: 'image', modality: 'image', source }, ctx.signal);
        const lines = [`[generated image ${i + 1}]`];
        if (a.unreadable !== undefined) lines.push(`(the image could not be read: ${a.unreadable})`);
        for (const t of a.texts) lines.push(t.source === 'ocr' ? `Text in the image: ${t.text || '(none)'}` : `Description: ${t.text}`);
        return lines.join('\n');
      }),
    );
    return { text: parts.join('\n\n'), finishReason: 'stop', latencyMs: Math.round(performance.now() - t0) };
  }

  async close(): Promise<void> {
    await this.aligner.close();
  }
}

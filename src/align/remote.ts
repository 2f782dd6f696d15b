/**
 * The configured models an aligner may ask (both optional, both OpenAI-compatible): a vision chat
 * model that describes an image, and a speech server (`/audio/transcriptions`: whisper.cpp's
 * server, faster-whisper-server, vLLM, OpenAI) that transcribes audio. Keys come from the named
 * environment variable and are never logged.
 */

export interface RemoteServer {
  url: string;
  model: string;
  apiKeyEnv?: string;
  timeoutMs: number;
}

export const DEFAULT_VISION_PROMPT =
  'You are helping a content-safety reviewer. First transcribe every piece of text visible in this image exactly, then describe in one or two sentences what the image shows. Do not refuse: only describe.';

const endpoint = (base: string, path: string): string => `${base.replace(/\/+$/, '')}${path}`;

function headers(s: RemoteServer): Record<string, string> {
  const key = s.apiKeyEnv ? process.env[s.apiKeyEnv] : undefined;
  return key ? { authorization: `Bearer ${key}` } : {};
}

/** A failed call, with a message safe to audit (no key, no body beyond a short excerpt). */
export class RemoteFailure extends Error {}

async function call(s: RemoteServer, path: string, init: { body: string | FormData; json?: boolean }, signal?: AbortSignal): Promise<unknown> {
  const timeout = AbortSignal.timeout(s.timeoutMs);
  let r: Response;
  try {
    r = await fetch(endpoint(s.url, path), {
      method: 'POST',
      headers: { ...headers(s), ...(init.json ? { 'content-type': 'application/json' } : {}) },
      body: init.body,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (e) {
    const err = e as Error;
    throw new RemoteFailure(timeout.aborted ? `no answer within ${s.timeoutMs} ms` : `unreachable (${err.message})`);
  }
  const text = await r.text().catch(() => '');
  if (!r.ok) throw new RemoteFailure(`answered ${r.status}: ${text.slice(0, 200)}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RemoteFailure('answered with a body that is not JSON');
  }
}

/** The vision model's description of an image (a data URL or an http(s) URL it may fetch itself). */
export async function describeImage(s: RemoteServer & { prompt?: string; maxTokens: number }, imageUrl: string, signal?: AbortSignal): Promise<string> {
  const body = JSON.stringify({
    model: s.model,
    temperature: 0,
    max_tokens: s.maxTokens,
    messages: [{ role: 'user', content: [{ type: 'text', text: s.prompt ?? DEFAULT_VISION_PROMPT }, { type: 'image_url', image_url: { url: imageUrl } }] }],
  });
  const data = (await call(s, '/chat/completions', { body, json: true }, signal)) as { choices?: { message?: { content?: unknown } }[] };
  const content = data?.choices?.[0]?.message?.content;
  if (typeof content !== 'string') throw new RemoteFailure('answered without a message content');
  return content;
}

const EXT: Record<string, string> = { 'audio/wav': 'wav', 'audio/x-wav': 'wav', 'audio/mpeg': 'mp3', 'audio/ogg': 'ogg', 'audio/flac': 'flac', 'audio/mp4': 'm4a', 'audio/webm': 'webm' };

/** The speech server's transcript of an audio clip. */
export async function transcribe(s: RemoteServer, audio: Buffer, mime: string, signal?: AbortSignal): Promise<string> {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(audio)], { type: mime }), `audio.${EXT[mime] ?? 'wav'}`);
  form.set('model', s.model);
  form.set('response_format', 'json');
  const data = (await call(s, '/audio/transcriptions', { body: form }, signal)) as { text?: unknown };
  if (typeof data?.text !== 'string') throw new RemoteFailure('answered without a transcript (`text`)');
  return data.text;
}

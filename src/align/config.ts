import { z } from 'zod';

/**
 * The `gateway.align:` section: how images and audio in a request are mapped into text the
 * policy can judge (aligner.ts). OCR is embedded and on by default; a vision model (describes an
 * image) and a speech model (transcribes audio) are optional OpenAI-compatible servers. A part
 * that nothing could read gets the `unreadable` action of its tier and modality.
 */

export const Modality = z.enum(['image', 'audio']);
export type Modality = z.infer<typeof Modality>;

/** What happens to a request holding a part no aligner could read: refuse it, or forward the part unread (audited). */
export const UnreadableAction = z.enum(['refuse', 'forward']);
export type UnreadableAction = z.infer<typeof UnreadableAction>;

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

/** An OpenAI-compatible server: base URL (…/v1), model, the env var holding its key, a time limit. */
const Server = z
  .object({
    url: z.string().url(),
    model: z.string().min(1),
    apiKeyEnv: envName.optional(),
    timeoutMs: z.number().int().positive().default(15_000),
  })
  .strict();

export const UnreadableByModality = z
  .object({ image: UnreadableAction.optional(), audio: UnreadableAction.optional() })
  .strict();

export const AlignConfig = z
  .object({
    ocr: z
      .object({
        /** Embedded OCR (PaddleOCR models on onnxruntime, in a worker thread). */
        enabled: z.boolean().default(true),
        /** Largest image (bytes, decoded) OCR reads; larger is unreadable. */
        maxBytes: z.number().int().positive().default(8_388_608),
        /** Largest image (width x height) OCR decodes; larger is unreadable. */
        maxPixels: z.number().int().positive().default(40_000_000),
        /** Images are scaled down to at most this many pixels on the long side before reading. */
        maxSide: z.number().int().min(64).default(1600),
        /**
         * Smaller images are enlarged to this many pixels on the long side before text is found;
         * then the image is scaled again so its lines are about 34 pixels thick (within maxSide).
         */
        minSide: z.number().int().min(32).default(480),
        /** One image's time limit (queueing included): past it the image is unreadable. */
        timeoutMs: z.number().int().positive().default(10_000),
        /** Images waiting for the OCR thread at most; past it a new image is unreadable (busy). */
        maxQueue: z.number().int().positive().default(64),
        /** Load the models when the gateway starts (else on the first image, which then waits ~2 s). */
        warm: z.boolean().default(false),
        /** Threads onnxruntime uses inside the OCR worker. */
        threads: z.number().int().min(1).max(16).default(1),
      })
      .strict()
      .prefault({}),
    /** A chat model that accepts images (OpenAI-compatible), asked to describe each image. */
    vision: Server.extend({ prompt: z.string().min(1).optional(), maxTokens: z.number().int().positive().default(300) }).strict().optional(),
    /** A speech-to-text server speaking OpenAI's `/audio/transcriptions` (whisper.cpp, faster-whisper ...). */
    speech: Server.extend({ maxBytes: z.number().int().positive().default(26_214_400) }).strict().optional(),
    /** Fetch `http(s)` image URLs to read them (off by default: the gateway then cannot read them). */
    fetchUrls: z.boolean().default(false),
    /** Largest fetched image, bytes. */
    fetchMaxBytes: z.number().int().positive().default(8_388_608),
    fetchTimeoutMs: z.number().int().positive().default(5_000),
    /** Aligned texts remembered by content hash (clients resend their history): this many; 0 off. */
    cache: z.number().int().min(0).default(256),
    /** The action for an unreadable part, by modality, for tiers `unreadableByTier` does not name. */
    unreadable: z
      .object({ image: UnreadableAction.default('refuse'), audio: UnreadableAction.default('refuse') })
      .strict()
      .prefault({}),
    /** Per tier (and modality): e.g. `{internal: {audio: forward}}`. */
    unreadableByTier: z.record(z.string(), UnreadableByModality).default({}),
  })
  .strict();
export type AlignConfig = z.infer<typeof AlignConfig>;
export type AlignConfigInput = z.input<typeof AlignConfig>;

/** The unreadable action for a tier and modality. */
export function unreadableAction(cfg: AlignConfig, tier: string, modality: Modality): UnreadableAction {
  return cfg.unreadableByTier[tier]?.[modality] ?? cfg.unreadable[modality];
}

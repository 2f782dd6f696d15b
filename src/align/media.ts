import type { Modality } from './config.js';

/**
 * The images and audio a chat request carries, wherever they sit: `image_url` parts (a data URL
 * or an http(s) URL), `input_image` (Responses API), `input_audio` (base64 with a format), and
 * `file` / `input_file` parts whose data is an image or audio (by the data URL's type, else by the
 * bytes' signature).
 */

export type MediaSource = { bytes: Buffer; mime: string } | { url: string } | { missing: string };

export interface MediaPart {
  /** e.g. `messages[0].content[1]`. */
  where: string;
  msg: number;
  role: string;
  /** The content part's type (`image_url`, `input_audio` ...). */
  type: string;
  modality: Modality;
  source: MediaSource;
}

const DATA_URL = /^data:([^,;]*)((?:;[^,;]*)*),/;

/** The bytes and type of a data URL (base64 or percent-encoded), or null for another string. */
export function decodeDataUrl(s: string): { bytes: Buffer; mime: string } | null {
  const m = DATA_URL.exec(s);
  if (!m) return null;
  const payload = s.slice(m[0].length);
  const base64 = m[2]!.split(';').includes('base64');
  let bytes: Buffer;
  try {
    bytes = base64 ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload), 'latin1');
  } catch {
    return null;
  }
  return { bytes, mime: (m[1] || 'application/octet-stream').toLowerCase() };
}

/** The modality of bytes by their signature (magic numbers), or null. */
export function sniff(b: Buffer): { modality: Modality; mime: string } | null {
  const ascii = (from: number, to: number): string => b.subarray(from, to).toString('latin1');
  if (b.length >= 8 && b[0] === 0x89 && ascii(1, 4) === 'PNG') return { modality: 'image', mime: 'image/png' };
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { modality: 'image', mime: 'image/jpeg' };
  if (ascii(0, 4) === 'GIF8') return { modality: 'image', mime: 'image/gif' };
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return { modality: 'image', mime: 'image/webp' };
  if (ascii(0, 2) === 'BM' && b.length > 26) return { modality: 'image', mime: 'image/bmp' };
  if (ascii(0, 4) === 'II*\u0000' || ascii(0, 4) === 'MM\u0000*') return { modality: 'image', mime: 'image/tiff' };
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return { modality: 'audio', mime: 'audio/wav' };
  if (ascii(0, 3) === 'ID3' || (b.length >= 2 && b[0] === 0xff && (b[1]! & 0xe0) === 0xe0)) return { modality: 'audio', mime: 'audio/mpeg' };
  if (ascii(0, 4) === 'OggS') return { modality: 'audio', mime: 'audio/ogg' };
  if (ascii(0, 4) === 'fLaC') return { modality: 'audio', mime: 'audio/flac' };
  if (ascii(4, 8) === 'ftyp' && /^(M4A|M4B|mp42|isom|dash)/.test(ascii(8, 12))) return { modality: 'audio', mime: 'audio/mp4' };
  if (b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return { modality: 'audio', mime: 'audio/webm' };
  return null;
}

const modalityOfMime = (mime: string): Modality | null => (mime.startsWith('image/') ? 'image' : mime.startsWith('audio/') ? 'audio' : null);

/**
 * A file part's data when it is an image or audio (the gateway's aligner reads it, not the text
 * file reader), else null.
 */
export function fileMedia(file: { file_data?: unknown }): { modality: Modality; bytes: Buffer; mime: string } | null {
  const data = file.file_data;
  if (typeof data !== 'string' || data === '') return null;
  const d = decodeDataUrl(data);
  if (d) {
    const byMime = modalityOfMime(d.mime);
    if (byMime) return { modality: byMime, ...d };
    const s = sniff(d.bytes);
    return s ? { modality: s.modality, bytes: d.bytes, mime: s.mime } : null;
  }
  const compact = data.replace(/\r?\n/g, '');
  if (compact.length < 8 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return null;
  const bytes = Buffer.from(compact, 'base64');
  const s = sniff(bytes);
  return s ? { modality: s.modality, bytes, mime: s.mime } : null;
}

function imageSource(url: unknown, fileId: unknown): MediaSource {
  if (typeof url === 'string') {
    const d = decodeDataUrl(url);
    if (d) return d;
    if (/^https?:\/\//i.test(url)) return { url };
    return { missing: 'its URL is neither a data URL nor http(s)' };
  }
  if (typeof fileId === 'string') return { missing: `it refers to an uploaded file (${fileId}) whose content the gateway cannot see` };
  return { missing: 'it has no image URL' };
}

const AUDIO_FORMATS: Record<string, string> = { wav: 'audio/wav', mp3: 'audio/mpeg', flac: 'audio/flac', ogg: 'audio/ogg', opus: 'audio/ogg', m4a: 'audio/mp4', webm: 'audio/webm', pcm16: 'audio/L16' };

/** Every image and audio part of the messages, in order. */
export function mediaParts(messages: readonly { role: string; content?: unknown }[]): MediaPart[] {
  const out: MediaPart[] = [];
  messages.forEach((m, i) => {
    if (!Array.isArray(m.content)) return;
    m.content.forEach((p: unknown, j: number) => {
      if (!p || typeof p !== 'object') return;
      const part = p as Record<string, unknown>;
      const base = { where: `messages[${i}].content[${j}]`, msg: i, role: m.role, type: String(part.type) };
      if (part.type === 'image_url') {
        const iu = part.image_url;
        const url = typeof iu === 'string' ? iu : iu && typeof iu === 'object' ? (iu as { url?: unknown }).url : undefined;
        out.push({ ...base, modality: 'image', source: imageSource(url, undefined) });
      } else if (part.type === 'input_image') {
        const iu = part.image_url;
        const url = typeof iu === 'string' ? iu : iu && typeof iu === 'object' ? (iu as { url?: unknown }).url : undefined;
        out.push({ ...base, modality: 'image', source: imageSource(url, part.file_id) });
      } else if (part.type === 'input_audio') {
        const a = (part.input_audio ?? {}) as { data?: unknown; format?: unknown };
        const format = typeof a.format === 'string' ? a.format.toLowerCase() : '';
        if (typeof a.data !== 'string' || a.data === '') out.push({ ...base, modality: 'audio', source: { missing: 'it has no audio data' } });
        else {
          const bytes = Buffer.from(a.data, 'base64');
          out.push({ ...base, modality: 'audio', source: { bytes, mime: AUDIO_FORMATS[format] ?? sniff(bytes)?.mime ?? 'application/octet-stream' } });
        }
      } else if (part.type === 'file' || part.type === 'input_file') {
        const file = (part.type === 'file' ? part.file : part) as { file_data?: unknown } | undefined;
        const f = file && typeof file === 'object' ? fileMedia(file) : null;
        if (f) out.push({ ...base, modality: f.modality, source: { bytes: f.bytes, mime: f.mime } });
      }
    });
  });
  return out;
}

import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local speech-to-text server speaking OpenAI's `POST /v1/audio/transcriptions` (multipart:
 * `file`, `model`, `response_format`), as whisper.cpp's and faster-whisper's servers do. It
 * answers the transcript registered for the uploaded bytes (by SHA-256), 400 for a malformed
 * upload, and records what it received.
 */

export interface SpeechStub {
  url: string;
  seen: { model: string; filename: string; type: string; bytes: number; auth: string | undefined }[];
  /** Register the transcript of an audio clip. */
  say(audio: Buffer, transcript: string): void;
  close(): Promise<void>;
}

export async function startSpeechStub(): Promise<SpeechStub> {
  const transcripts = new Map<string, string>();
  const seen: SpeechStub['seen'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const fail = (status: number, message: string): void => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message } }));
        };
        if (req.method !== 'POST' || req.url !== '/v1/audio/transcriptions') return fail(404, 'not found');
        let form: FormData;
        try {
          form = await new Request('http://stub/', { method: 'POST', headers: { 'content-type': String(req.headers['content-type']) }, body: Buffer.concat(chunks) }).formData();
        } catch {
          return fail(400, 'expected multipart/form-data');
        }
        const file = form.get('file');
        const model = form.get('model');
        if (!(file instanceof Blob) || typeof model !== 'string') return fail(400, 'file and model are required');
        const bytes = Buffer.from(await file.arrayBuffer());
        seen.push({ model, filename: (file as File).name, type: file.type, bytes: bytes.length, auth: req.headers.authorization });
        const text = transcripts.get(createHash('sha256').update(bytes).digest('hex')) ?? '';
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ text }));
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    seen,
    say: (audio, transcript) => transcripts.set(createHash('sha256').update(audio).digest('hex'), transcript),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** A short mono 16-bit WAV clip (a tone of the given frequency): real audio bytes. */
export function wavTone(freq: number, ms = 200, rate = 16_000): Buffer {
  const n = Math.round((rate * ms) / 1000);
  const b = Buffer.alloc(44 + n * 2);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(36 + n * 2, 4);
  b.write('WAVE', 8, 'latin1');
  b.write('fmt ', 12, 'latin1');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'latin1');
  b.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(Math.sin((2 * Math.PI * freq * i) / rate) * 8000), 44 + i * 2);
  return b;
}

import { parentPort } from 'node:worker_threads';
import Ocr from '@gutenye/ocr-node';
import sharp from 'sharp';

/**
 * The OCR thread: loads the PaddleOCR detection and recognition models once, then reads one image
 * at a time (ocr.ts sends the next when this one is answered). Decoding is bounded (pixels) and
 * the image is scaled down to `maxSide` before the models see it.
 */

interface Job {
  id: number;
  bytes: Uint8Array;
  maxPixels: number;
  maxSide: number;
  minSide: number;
}

interface Line {
  text: string;
  mean: number;
  box?: number[][];
}

const port = parentPort!;
const threads = Number(process.env.PILLARS_OCR_THREADS ?? '') || 1;
sharp.concurrency(1);

const ready = Ocr.create({ onnxOptions: { intraOpNumThreads: threads, interOpNumThreads: 1 } });
ready.then(
  () => port.postMessage({ ready: true }),
  (e: unknown) => port.postMessage({ failed: (e as Error)?.message ?? String(e) }),
);

port.on('message', (job: Job) => {
  void read(job).then(
    (r) => port.postMessage({ id: job.id, ...r }),
    (e: unknown) => port.postMessage({ id: job.id, error: (e as Error)?.message ?? String(e) }),
  );
});

async function read(job: Job): Promise<{ lines: Line[]; width: number; height: number }> {
  const img = sharp(Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength), { limitInputPixels: job.maxPixels, failOn: 'error' });
  const meta = await img.metadata();
  const long = Math.max(meta.width ?? 0, meta.height ?? 0);
  // Small images are read better enlarged (the detector sees text a few pixels high poorly); large ones are bounded.
  const side = long < job.minSide ? job.minSide : Math.min(long, job.maxSide);
  const png = await img.rotate().flatten({ background: '#ffffff' }).resize({ width: side, height: side, fit: 'inside' }).png({ compressionLevel: 1 }).toBuffer();
  const ocr = await ready;
  const lines = (await ocr.detect(png)) as Line[];
  // Reading order: top to bottom by the box's centre, left to right within a line.
  const centre = (l: Line): [number, number] => {
    const b = l.box ?? [[0, 0]];
    return [b.reduce((s, p) => s + (p[0] ?? 0), 0) / b.length, b.reduce((s, p) => s + (p[1] ?? 0), 0) / b.length];
  };
  const height = (l: Line): number => {
    const ys = (l.box ?? [[0, 0]]).map((p) => p[1] ?? 0);
    return Math.max(...ys) - Math.min(...ys);
  };
  const sorted = [...lines].sort((a, b) => {
    const [ax, ay] = centre(a);
    const [bx, by] = centre(b);
    return Math.abs(ay - by) < Math.min(height(a), height(b)) / 2 ? ax - bx : ay - by;
  });
  return { lines: sorted.map((l) => ({ text: l.text, mean: l.mean })), width: meta.width ?? 0, height: meta.height ?? 0 };
}

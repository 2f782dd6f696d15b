import { parentPort } from 'node:worker_threads';
import Ocr from '@gutenye/ocr-node';
import sharp from 'sharp';
import { readingOrder, type BoxLine } from './reading-order.js';

/**
 * The OCR thread: loads the PaddleOCR detection and recognition models once, then reads one image
 * at a time (ocr.ts sends the next when this one is answered). Decoding is bounded (pixels), the
 * image is scaled into [minSide, maxSide] on its long side before the models see it. Lines are
 * detected and recognised one by one (the package's own `detect` merges rotated lines into one,
 * out of order), then put in reading order (reading-order.ts).
 */

interface Job {
  id: number;
  bytes: Uint8Array;
  maxPixels: number;
  maxSide: number;
  minSide: number;
}

interface Tensor {
  dims: readonly number[];
}
interface RawImage {
  resize(size: { height: number }): Promise<RawImage>;
}
interface Detection {
  run(image: Buffer): Promise<{ image: RawImage; box: number[][] }[]>;
}
interface Recognition {
  imageToInput(image: RawImage, opts: object): unknown;
  runModel(input: { modelData: unknown }): Promise<Tensor>;
  decodeText(output: Tensor): { text: string; mean: number }[];
}
interface Models {
  Detection: { create(o: object): Promise<Detection> };
  Recognition: { create(o: object): Promise<Recognition> };
}

const port = parentPort!;
const threads = Number(process.env.PILLARS_OCR_THREADS ?? '') || 1;
/** Line thickness (pixels) the recogniser reads best, and the band left as it is. */
const TARGET_LINE = 34;
const LINE_BAND: [number, number] = [26, 46];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : 0;
}

/** Lines read with less mean confidence are dropped (speckles read as letters). */
const MIN_LINE_CONFIDENCE = 0.3;
sharp.concurrency(1);

async function load(): Promise<{ detection: Detection; recognition: Recognition }> {
  // Importing the package registers its Node backend (sharp, onnxruntime-node) with ocr-common;
  // the models are then created from the same ocr-common module instance.
  void Ocr;
  const meta = import.meta as ImportMeta & { resolve(s: string): string };
  const models = (await import(new URL('./models/index.js', meta.resolve('@gutenye/ocr-common')).href)) as Models;
  const onnxOptions = { intraOpNumThreads: threads, interOpNumThreads: 1 };
  const [detection, recognition] = await Promise.all([models.Detection.create({ onnxOptions }), models.Recognition.create({ onnxOptions })]);
  return { detection, recognition };
}

const ready = load();
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

async function read(job: Job): Promise<{ lines: BoxLine[]; width: number; height: number }> {
  const img = sharp(Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength), { limitInputPixels: job.maxPixels, failOn: 'error' });
  const meta = await img.metadata();
  const long = Math.max(meta.width ?? 0, meta.height ?? 0);
  const upright = img.rotate().flatten({ background: '#ffffff' });
  const at = (side: number): Promise<Buffer> => upright.clone().resize({ width: side, height: side, fit: 'inside' }).png({ compressionLevel: 1 }).toBuffer();
  const { detection, recognition } = await ready;
  // First pass: small images enlarged to minSide, large ones bounded by maxSide.
  const side = long < job.minSide ? job.minSide : Math.min(long, job.maxSide);
  let found = await detection.run(await at(side));
  // The recogniser reads text best when its lines are about TARGET_LINE pixels thick: far from
  // that (small print, huge titles), the image is scaled so they are, and detected again.
  const thick = median(found.map((li) => Math.hypot((li.box[3]?.[0] ?? 0) - (li.box[0]?.[0] ?? 0), (li.box[3]?.[1] ?? 0) - (li.box[0]?.[1] ?? 0))));
  if (found.length > 0 && (thick < LINE_BAND[0] || thick > LINE_BAND[1])) {
    const better = Math.round(Math.min(job.maxSide, Math.max(64, (side * TARGET_LINE) / thick)));
    if (Math.abs(better - side) / side > 0.15) found = await detection.run(await at(better));
  }
  const lines: BoxLine[] = [];
  for (const li of found) {
    // The recogniser reads a line 48 pixels high.
    const image = await li.image.resize({ height: 48 });
    const out = await recognition.runModel({ modelData: recognition.imageToInput(image, {}) });
    for (const l of recognition.decodeText(out)) if (l && l.mean >= MIN_LINE_CONFIDENCE && l.text.trim() !== '') lines.push({ text: l.text, mean: l.mean, box: li.box });
  }
  return { lines: readingOrder(lines).map((l) => ({ text: l.text, mean: l.mean })), width: meta.width ?? 0, height: meta.height ?? 0 };
}

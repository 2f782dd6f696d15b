import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Embedded OCR off the event loop: one worker thread (ocr-worker.ts) holds the PaddleOCR models
 * (loaded once, on the first image or `warm()`), images are read one at a time in arrival order.
 * Each image has a time limit counted from its arrival, or from the moment the models are loaded
 * when it arrived before (queueing included): an image past it is answered `OcrUnreadable`, and
 * if it was the one being read the thread is ended (a new one starts for the next image), so one
 * pathological image cannot hold the reader. Loading itself is bounded by LOAD_MS.
 */

export interface OcrLine {
  text: string;
  /** The recogniser's mean character confidence, 0..1. */
  confidence: number;
}

export interface OcrResult {
  /** The lines read, joined by a space in reading order. */
  text: string;
  lines: OcrLine[];
  /** Mean line confidence weighted by length (1 when nothing was read). */
  confidence: number;
  width: number;
  height: number;
  ms: number;
}

export interface OcrOptions {
  maxPixels: number;
  maxSide: number;
  minSide: number;
  timeoutMs: number;
  maxQueue: number;
  threads: number;
}

/** An image OCR could not read, and why (too large, not an image, timeout, busy). */
export class OcrUnreadable extends Error {}

interface Job {
  id: number;
  bytes: Buffer;
  t0: number;
  timer: NodeJS.Timeout | null;
  resolve: (r: OcrResult) => void;
  reject: (e: Error) => void;
}

interface Reply {
  ready?: boolean;
  failed?: string;
  id?: number;
  error?: string;
  lines?: { text: string; mean: number; box?: number[][] }[];
  width?: number;
  height?: number;
}

function tsxApi(): string {
  const meta = import.meta as ImportMeta & { resolve?: (s: string) => string };
  if (typeof meta.resolve === 'function') return meta.resolve('tsx/esm/api');
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
}

/** Longest the models may take to load (a slow disk, a machine under load) before images are unreadable. */
const LOAD_MS = 60_000;

export class OcrReader {
  private worker: Worker | null = null;
  private ready = false;
  private loadTimer: NodeJS.Timeout | null = null;
  private running: Job | null = null;
  private readonly queue: Job[] = [];
  private seq = 0;
  private failure: string | null = null;

  constructor(private readonly opts: OcrOptions) {}

  /** Start the thread and load the models now (else on the first image). */
  warm(): void {
    this.spawn();
  }

  read(bytes: Buffer): Promise<OcrResult> {
    if (this.failure) return Promise.reject(new OcrUnreadable(`OCR is unavailable: ${this.failure}`));
    if (this.queue.length >= this.opts.maxQueue) return Promise.reject(new OcrUnreadable(`OCR is busy (${this.queue.length} images waiting)`));
    return new Promise((resolve, reject) => {
      const job: Job = { id: ++this.seq, bytes, t0: performance.now(), resolve, reject, timer: null };
      this.queue.push(job);
      if (this.ready) this.arm(job);
      this.next();
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.ready = false;
    if (this.loadTimer) clearTimeout(this.loadTimer);
    for (const j of [...this.queue, ...(this.running ? [this.running] : [])]) this.settle(j, new OcrUnreadable('OCR was closed'));
    this.queue.length = 0;
    this.running = null;
    if (w) await w.terminate();
  }

  private spawn(): Worker {
    if (this.worker) return this.worker;
    const isTs = import.meta.url.endsWith('.ts');
    const file = new URL(isTs ? './ocr-worker.ts' : './ocr-worker.js', import.meta.url);
    const env = { ...process.env, PILLARS_OCR_THREADS: String(this.opts.threads) };
    const w = isTs
      ? new Worker(`import(${JSON.stringify(tsxApi())}).then((m) => { m.register(); return import(${JSON.stringify(file.href)}); });`, { eval: true, env })
      : new Worker(file, { env });
    w.unref();
    this.ready = false;
    this.loadTimer = setTimeout(() => this.onDeath(w, `the OCR models did not load within ${LOAD_MS} ms`, true), LOAD_MS);
    this.loadTimer.unref();
    w.on('message', (m: Reply) => this.onReply(w, m));
    w.on('error', (e) => this.onDeath(w, e.message));
    w.on('exit', (code) => this.onDeath(w, `the OCR thread exited (${code})`));
    this.worker = w;
    return w;
  }

  private next(): void {
    if (this.running || this.queue.length === 0) return;
    const job = this.queue.shift()!;
    this.running = job;
    const bytes = new Uint8Array(job.bytes);
    this.spawn().postMessage({ id: job.id, bytes, maxPixels: this.opts.maxPixels, maxSide: this.opts.maxSide, minSide: this.opts.minSide }, [bytes.buffer]);
  }

  private onReply(w: Worker, m: Reply): void {
    if (w !== this.worker) return;
    if (m.failed !== undefined) {
      // The models could not be loaded: nothing will ever be read.
      this.failure = m.failed;
      for (const j of [...this.queue, ...(this.running ? [this.running] : [])]) this.settle(j, new OcrUnreadable(`OCR is unavailable: ${m.failed}`));
      this.queue.length = 0;
      this.running = null;
      return;
    }
    if (m.ready) {
      // Time limits count from now for images that waited for the models.
      this.ready = true;
      if (this.loadTimer) clearTimeout(this.loadTimer);
      for (const j of [...(this.running ? [this.running] : []), ...this.queue]) this.arm(j);
      return;
    }
    if (m.id === undefined) return;
    const job = this.running;
    if (!job || job.id !== m.id) return;
    this.running = null;
    if (m.error !== undefined) this.settle(job, new OcrUnreadable(`the image could not be decoded: ${m.error}`));
    else {
      const lines = (m.lines ?? []).filter((l) => l.text.trim() !== '').map((l) => ({ text: l.text.trim(), confidence: l.mean }));
      const chars = lines.reduce((n, l) => n + l.text.length, 0);
      const confidence = chars === 0 ? 1 : lines.reduce((n, l) => n + l.confidence * l.text.length, 0) / chars;
      this.settle(job, undefined, { text: lines.map((l) => l.text).join(' '), lines, confidence, width: m.width ?? 0, height: m.height ?? 0, ms: performance.now() - job.t0 });
    }
    this.next();
  }

  private onDeath(w: Worker, why: string, loading = false): void {
    if (w !== this.worker) return;
    this.worker = null;
    this.ready = false;
    if (this.loadTimer) clearTimeout(this.loadTimer);
    if (loading) {
      // The models never loaded: every waiting image is unreadable; the next one tries again.
      void w.terminate();
      for (const j of [...(this.running ? [this.running] : []), ...this.queue]) this.settle(j, new OcrUnreadable(`OCR is unavailable: ${why}`));
      this.queue.length = 0;
      this.running = null;
      return;
    }
    if (this.running) this.settle(this.running, new OcrUnreadable(`OCR failed on this image: ${why}`));
    this.running = null;
    this.next();
  }

  /** Start an image's time limit (once the models are loaded). */
  private arm(job: Job): void {
    if (job.timer) return;
    job.timer = setTimeout(() => this.expire(job), this.opts.timeoutMs);
    job.timer.unref();
  }

  private expire(job: Job): void {
    const why = new OcrUnreadable(`OCR took longer than ${this.opts.timeoutMs} ms`);
    const i = this.queue.indexOf(job);
    if (i >= 0) {
      this.queue.splice(i, 1);
      this.settle(job, why);
      return;
    }
    if (this.running !== job) return;
    // The image being read is past its limit: end the thread; the next image gets a fresh one.
    const w = this.worker;
    this.worker = null;
    this.ready = false;
    this.running = null;
    this.settle(job, why);
    void w?.terminate();
    this.next();
  }

  private settle(job: Job, e?: Error, r?: OcrResult): void {
    if (job.timer) clearTimeout(job.timer);
    if (e) job.reject(e);
    else job.resolve(r!);
  }
}

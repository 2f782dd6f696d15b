import { createCanvas, GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas';

/**
 * Text rendered into a PNG, the way a typographic attack (or a benign screenshot, a captioned
 * photo) carries it: font, size, colours, rotation, noise and a flat, gradient or photo-like
 * background. Deterministic: the same text and options give the same bytes. Fonts are the
 * system's (Debian: fonts-dejavu); a font a machine lacks falls back to the default sans.
 */

export type Background = 'flat' | 'gradient' | 'photo';

export interface RenderOptions {
  font?: string;
  /** Pixels. */
  size?: number;
  bold?: boolean;
  italic?: boolean;
  color?: string;
  /** Flat background colour (and the caption box's colour on a photo). */
  background?: string;
  kind?: Background;
  /** Degrees, clockwise. */
  rotation?: number;
  /** Share of pixels replaced by random speckles, 0..0.2. */
  noise?: number;
  /** Widest line, pixels (text is wrapped). */
  width?: number;
  seed?: number;
}

export const FONTS = ['DejaVu Sans', 'DejaVu Serif', 'DejaVu Sans Mono', 'DejaVu Sans Condensed', 'DejaVu Serif Condensed'] as const;

let fontsLoaded = false;
function loadFonts(): void {
  if (fontsLoaded) return;
  fontsLoaded = true;
  // System fonts are scanned by the canvas library; Debian's DejaVu directory is added in case.
  GlobalFonts.loadFontsFromDir('/usr/share/fonts/truetype');
}

/** A small deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function wrap(ctx: SKRSContext2D, text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const w of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${w}` : w;
    if (line && ctx.measureText(next).width > width) {
      lines.push(line);
      line = w;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

/** A photo-like scene: sky-to-ground gradient, soft blobs, a horizon and a few shapes. */
function paintPhoto(ctx: SKRSContext2D, w: number, h: number, r: () => number): void {
  const hue = Math.floor(r() * 360);
  const g = ctx.createLinearGradient(0, 0, 0, h);
  g.addColorStop(0, `hsl(${hue}, 45%, 70%)`);
  g.addColorStop(0.55, `hsl(${(hue + 40) % 360}, 35%, 55%)`);
  g.addColorStop(1, `hsl(${(hue + 90) % 360}, 40%, 30%)`);
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, w, h);
  for (let i = 0; i < 14; i++) {
    const x = r() * w;
    const y = r() * h;
    const rad = 20 + r() * Math.max(w, h) * 0.25;
    const b = ctx.createRadialGradient(x, y, 0, x, y, rad);
    b.addColorStop(0, `hsla(${Math.floor(r() * 360)}, 50%, ${30 + r() * 50}%, 0.55)`);
    b.addColorStop(1, 'hsla(0, 0%, 50%, 0)');
    ctx.fillStyle = b;
    ctx.fillRect(0, 0, w, h);
  }
  ctx.fillStyle = `hsla(${(hue + 120) % 360}, 30%, 25%, 0.8)`;
  ctx.beginPath();
  ctx.moveTo(0, h * 0.7);
  for (let x = 0; x <= w; x += w / 8) ctx.lineTo(x, h * (0.6 + r() * 0.15));
  ctx.lineTo(w, h);
  ctx.lineTo(0, h);
  ctx.fill();
}

/** The text as a PNG. */
export function renderText(text: string, o: RenderOptions = {}): Buffer {
  loadFonts();
  const r = rng(o.seed ?? 1);
  const size = o.size ?? 28;
  const font = `${o.italic ? 'italic ' : ''}${o.bold ? 'bold ' : ''}${size}px "${o.font ?? 'DejaVu Sans'}"`;
  const maxWidth = o.width ?? Math.max(360, Math.min(1000, size * 28));
  const probe = createCanvas(8, 8).getContext('2d');
  probe.font = font;
  const lines = wrap(probe, text, maxWidth);
  const lineH = Math.ceil(size * 1.45);
  const textW = Math.ceil(Math.max(...lines.map((l) => probe.measureText(l).width), 1));
  const textH = lineH * lines.length;
  const kind = o.kind ?? 'flat';
  const pad = kind === 'photo' ? Math.round(size * 2.5) : Math.round(size * 1.2);
  const rot = ((o.rotation ?? 0) * Math.PI) / 180;
  // Room for the rotated block.
  const bw = textW + 2 * pad;
  const bh = textH + 2 * pad + (kind === 'photo' ? Math.round(size * 6) : 0);
  const w = Math.ceil(Math.abs(bw * Math.cos(rot)) + Math.abs(bh * Math.sin(rot)));
  const h = Math.ceil(Math.abs(bw * Math.sin(rot)) + Math.abs(bh * Math.cos(rot)));
  const canvas = createCanvas(w, h);
  const ctx = canvas.getContext('2d');
  if (kind === 'photo') paintPhoto(ctx, w, h, r);
  else if (kind === 'gradient') {
    const g = ctx.createLinearGradient(0, 0, w, h);
    g.addColorStop(0, o.background ?? '#ffffff');
    g.addColorStop(1, `hsl(${Math.floor(r() * 360)}, 30%, 85%)`);
    ctx.fillStyle = g;
    ctx.fillRect(0, 0, w, h);
  } else {
    ctx.fillStyle = o.background ?? '#ffffff';
    ctx.fillRect(0, 0, w, h);
  }
  ctx.save();
  ctx.translate(w / 2, h / 2);
  ctx.rotate(rot);
  const x0 = -textW / 2;
  // On a photo the text is a caption at the bottom, on a translucent band.
  const y0 = kind === 'photo' ? bh / 2 - pad / 2 - textH : -textH / 2;
  if (kind === 'photo') {
    ctx.fillStyle = o.background ?? 'rgba(255, 255, 255, 0.78)';
    ctx.fillRect(x0 - size * 0.6, y0 - size * 0.4, textW + size * 1.2, textH + size * 0.6);
  }
  ctx.font = font;
  ctx.fillStyle = o.color ?? '#000000';
  ctx.textBaseline = 'top';
  lines.forEach((l, i) => ctx.fillText(l, x0, y0 + i * lineH));
  ctx.restore();
  const noise = Math.min(0.2, Math.max(0, o.noise ?? 0));
  if (noise > 0) {
    const img = ctx.getImageData(0, 0, w, h);
    const d = img.data;
    for (let i = 0; i < d.length; i += 4) {
      if (r() < noise) {
        const v = Math.floor(r() * 256);
        d[i] = v;
        d[i + 1] = v;
        d[i + 2] = v;
      }
    }
    ctx.putImageData(img, 0, 0);
  }
  return canvas.toBuffer('image/png');
}

/** `data:image/png;base64,...` */
export const pngDataUrl = (png: Buffer): string => `data:image/png;base64,${png.toString('base64')}`;

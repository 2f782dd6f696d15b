/** A line the OCR read, with its box (corners: top-left, top-right, bottom-right, bottom-left). */
export interface BoxLine {
  text: string;
  mean: number;
  box?: number[][];
}

/**
 * Lines in reading order: the text's slant is the mean direction of the boxes' top edges; box
 * centres are turned upright by it, then sorted top to bottom, and left to right among boxes on
 * the same line (closer than half a line's thickness). So a rotated paragraph is not read from
 * its shorter last line first (sorting by raw y does that: the short line's centre sits higher).
 */
export function readingOrder<T extends BoxLine>(lines: readonly T[]): T[] {
  const pt = (b: number[][] | undefined, i: number): [number, number] => [b?.[i]?.[0] ?? 0, b?.[i]?.[1] ?? 0];
  let sx = 0;
  let sy = 0;
  for (const l of lines) {
    const [x1, y1] = pt(l.box, 0);
    const [x2, y2] = pt(l.box, 1);
    sx += x2 - x1;
    sy += y2 - y1;
  }
  const angle = sx === 0 && sy === 0 ? 0 : Math.atan2(sy, sx);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const placed = lines.map((l) => {
    const pts = [0, 1, 2, 3].map((i) => pt(l.box, i));
    const cx = pts.reduce((s, p) => s + p[0], 0) / 4;
    const cy = pts.reduce((s, p) => s + p[1], 0) / 4;
    const [x1, y1] = pts[0]!;
    const [x4, y4] = pts[3]!;
    return { l, x: cos * cx + sin * cy, y: -sin * cx + cos * cy, thick: Math.hypot(x4 - x1, y4 - y1) };
  });
  placed.sort((a, b) => (Math.abs(a.y - b.y) < Math.min(a.thick, b.thick) / 2 ? a.x - b.x : a.y - b.y));
  return placed.map((p) => p.l);
}

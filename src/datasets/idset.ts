/**
 * A compact set of item ids for duplicate detection on very large files: 64-bit hashes of the
 * ids (two 32-bit FNV-1a lanes) in open-addressed typed arrays, with the line each id was first
 * seen on. About 24 bytes per id instead of a JS string per id, so memory stays flat enough on a
 * million items. Two different ids sharing a 64-bit hash (odds ~1e-8 at a million ids) would be
 * reported as a duplicate.
 */
export class IdSet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private line: Uint32Array;
  private file: Uint16Array;
  private n = 0;

  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.line = new Uint32Array(cap);
    this.file = new Uint16Array(cap);
  }

  get size(): number {
    return this.n;
  }

  private static hash(s: string): [number, number] {
    let a = 0x811c9dc5;
    let b = 0x01000193 ^ 0x5bd1e995;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
    }
    a >>>= 0;
    b >>>= 0;
    if (a === 0 && b === 0) b = 1; // (0, 0) marks an empty slot
    return [a, b];
  }

  /** Adds the id; returns where it was first seen when it is already there, else null. */
  add(id: string, line: number, file = 0): { line: number; file: number } | null {
    if ((this.n + 1) * 2 > this.hi.length) this.grow();
    const [a, b] = IdSet.hash(id);
    const mask = this.hi.length - 1;
    let i = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
    for (;;) {
      const h = this.hi[i]!;
      const l = this.lo[i]!;
      if (h === 0 && l === 0) {
        this.hi[i] = a;
        this.lo[i] = b;
        this.line[i] = line;
        this.file[i] = file;
        this.n++;
        return null;
      }
      if (h === a && l === b) return { line: this.line[i]!, file: this.file[i]! };
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const { hi, lo, line, file } = this;
    this.hi = new Uint32Array(hi.length * 2);
    this.lo = new Uint32Array(hi.length * 2);
    this.line = new Uint32Array(hi.length * 2);
    this.file = new Uint16Array(hi.length * 2);
    const mask = this.hi.length - 1;
    for (let j = 0; j < hi.length; j++) {
      const a = hi[j]!;
      const b = lo[j]!;
      if (a === 0 && b === 0) continue;
      let i = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
      while (this.hi[i] !== 0 || this.lo[i] !== 0) i = (i + 1) & mask;
      this.hi[i] = a;
      this.lo[i] = b;
      this.line[i] = line[j]!;
      this.file[i] = file[j]!;
    }
  }
}

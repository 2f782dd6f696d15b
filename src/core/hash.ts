import { createHash } from 'node:crypto';

/** Hashes every feature shares: sha256 for content addresses and audit fields, fmix for hashed features. */

/** Hex sha256 of a string (UTF-8) or bytes. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** MurmurHash3's 32-bit finaliser: spreads the bits of a 32-bit hash (result is unsigned). */
export function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

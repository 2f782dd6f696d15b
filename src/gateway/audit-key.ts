import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../core/errors.js';

/**
 * The Ed25519 key that signs audit checkpoints. A PKCS#8 PEM file, created on first use with
 * 0600 permissions (exclusive create, so two processes never make two keys), with the public key
 * written beside it as `<file>.pub`. Keep a copy of the public key outside the store's machine:
 * `pillars audit verify --public-key FILE` then detects a chain re-signed with another key.
 */

export const DEFAULT_KEY_NAME = 'audit-signing-key.pem';

/** The key file used when none is configured: beside the store (null for an in-memory store). */
export function defaultKeyPath(storePath: string): string | null {
  if (!storePath || storePath === ':memory:') return null;
  return join(dirname(storePath), DEFAULT_KEY_NAME);
}

export interface SigningKey {
  path: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public key as base64 SPKI DER (stored with each checkpoint). */
  publicDer: string;
  /** sha256 of the SPKI DER, first 16 hex digits. */
  keyId: string;
  created: boolean;
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

function fromPrivate(path: string, privateKey: KeyObject, created: boolean): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new UserError(`${path}: the audit signing key must be an Ed25519 key, not ${privateKey.asymmetricKeyType ?? 'unknown'}`, { code: 'config' });
  const publicKey = createPublicKey(privateKey);
  return { path, privateKey, publicKey, publicDer: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'), keyId: keyIdOf(publicKey), created };
}

function readPrivate(path: string): KeyObject {
  try {
    return createPrivateKey(readFileSync(path));
  } catch (e) {
    throw new UserError(`${path}: cannot read the audit signing key: ${(e as Error).message}`, { code: 'config', cause: e });
  }
}

/** Load the signing key, or create it (0600) when the file does not exist yet. */
export function loadOrCreateSigningKey(path: string): SigningKey {
  try {
    statSync(path);
    return fromPrivate(path, readPrivate(path), false);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
  } catch (e) {
    // Another process created it first: use theirs.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return fromPrivate(path, readPrivate(path), false);
    throw new UserError(`${path}: cannot create the audit signing key: ${(e as Error).message}`, { code: 'config', cause: e });
  }
  try {
    writeFileSync(`${path}.pub`, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  } catch {
    // The public key can always be derived again (`pillars audit anchor` prints where it is).
  }
  return fromPrivate(path, privateKey, true);
}

/** The signing key if its file exists (verification without creating anything), else null. */
export function existingSigningKey(path: string | null): SigningKey | null {
  if (!path) return null;
  try {
    statSync(path);
  } catch {
    return null;
  }
  return fromPrivate(path, readPrivate(path), false);
}

/** A public key file (SPKI PEM or DER), or a private key file whose public half is used. */
export function readPublicKey(path: string): KeyObject {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (e) {
    throw new UserError(`--public-key: cannot read ${path}: ${(e as Error).message}`, { code: 'usage', cause: e });
  }
  let key: KeyObject;
  try {
    const pem = data.toString('utf8');
    if (pem.includes('PRIVATE KEY')) key = createPublicKey(createPrivateKey(pem));
    else if (pem.includes('-----BEGIN')) key = createPublicKey(pem);
    else key = createPublicKey({ key: data, format: 'der', type: 'spki' });
  } catch (e) {
    throw new UserError(`--public-key: ${path} is not a public key (PEM or DER): ${(e as Error).message}`, { code: 'usage', cause: e });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new UserError(`--public-key: ${path} is a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`, { code: 'usage' });
  return key;
}

export function publicKeyFromDer(b64: string): KeyObject | null {
  try {
    return createPublicKey({ key: Buffer.from(b64, 'base64'), format: 'der', type: 'spki' });
  } catch {
    return null;
  }
}

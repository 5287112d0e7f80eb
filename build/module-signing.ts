/*
 * Module signing: the build signs every module's index record with Ed25519 (node:crypto), as
 * Linux signs .ko files. The signed text (signedText in ramdisk/module-index.ts) holds every
 * field of the record but its offset hint, the bundle's sha256 among them, so one signature
 * covers the bundle and what the index says of it. The key pair is made on the first build
 * and kept in .keys/ (out of git: each checkout signs with its own key); the public key is
 * built into the base image, and the kernel checks the signature when it loads the module.
 * The signature travels in the record, hex-encoded.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { signedText, type ModuleRecord } from '../ramdisk/module-index.ts';
import { PROJECT_ROOT } from './paths.ts';

const KEY_FILE = path.join(PROJECT_ROOT, '.keys', 'module-signing.pem');
/** DER prefix of an Ed25519 public key (SubjectPublicKeyInfo); the raw 32-byte key follows. */
const ED25519_PUBLIC_PREFIX = '302a300506032b6570032100';

let cached: KeyObject | undefined;

/** The build's private key, created (and saved in .keys/) on first use. */
export function signingKey(): KeyObject {
  if (cached) return cached;
  if (!existsSync(KEY_FILE)) {
    // Several builds may start at once (test workers): each writes a whole file and renames it
    // into place, so a reader never sees half a key; whichever lands last is the key from then on.
    const { privateKey } = generateKeyPairSync('ed25519');
    mkdirSync(path.dirname(KEY_FILE), { recursive: true });
    const partial = `${KEY_FILE}.${process.pid}.tmp`;
    writeFileSync(partial, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    renameSync(partial, KEY_FILE);
  }
  cached = createPrivateKey(readFileSync(KEY_FILE));
  return cached;
}

/** The raw public key, hex: what the base image carries. */
export function publicKeyHex(key = signingKey()): string {
  return (createPublicKey(key).export({ type: 'spki', format: 'der' }) as Buffer).subarray(ED25519_PUBLIC_PREFIX.length / 2).toString('hex');
}

/** The signature of a record (every field but `signature` and `offset` must be final). */
export function signRecord(record: ModuleRecord, key = signingKey()): string {
  return sign(null, Buffer.from(signedText(record)), key).toString('hex');
}

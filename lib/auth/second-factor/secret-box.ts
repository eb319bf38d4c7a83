// The TOTP secrets are encrypted at rest (AES-256-GCM) under a key kept in a
// file beside the data, not in the database: a leaked database dump or backup
// then holds no usable second factor (as sessions and tokens hold only hashes).
// The key is made on first use (DATA_DIR/secrets/second-factor.key, mode 0600);
// losing it makes every enrolled TOTP unusable (recovery codes and an admin's
// reset still work), so it is backed up with the data directory, apart from
// database dumps.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const FORMAT = 'v1';
const keys = new Map<string, Buffer>();

export function secondFactorKeyPath(dataDir: string): string {
  return path.join(dataDir, 'secrets', 'second-factor.key');
}

function keyFor(dataDir: string): Buffer {
  const file = secondFactorKeyPath(dataDir);
  const cached = keys.get(file);
  if (cached) return cached;
  let key: Buffer;
  try {
    key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // 'wx': two processes starting at once must not each write a different key
    try {
      writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (writeError) {
      if ((writeError as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError;
    }
    key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  }
  if (key.length !== 32) throw new Error(`${file}: expected a base64 256-bit key`);
  keys.set(file, key);
  return key;
}

/** "v1.<iv>.<tag>.<ciphertext>" (base64url parts); the user id is bound as associated data, so a row copied to another account does not decrypt. */
export function sealSecret(dataDir: string, secret: string, userId: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(dataDir), iv);
  cipher.setAAD(Buffer.from(userId));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [FORMAT, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

/** The secret, or null when the sealed text is malformed or does not authenticate (another key, another user). */
export function openSecret(dataDir: string, sealed: string, userId: string): string | null {
  const [format, iv, tag, ciphertext] = sealed.split('.');
  if (format !== FORMAT || !iv || !tag || ciphertext === undefined) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFor(dataDir), Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(userId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

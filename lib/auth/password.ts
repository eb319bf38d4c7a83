// Password hashing: argon2id (PHC string in User.passwordHash).
import { randomInt } from 'node:crypto';
import { hash, verify, type Algorithm } from '@node-rs/argon2';

// Algorithm is an ambient const enum, which isolatedModules cannot read: 2 is
// Algorithm.Argon2id. Costs are OWASP's argon2id minimum (19 MiB, t=2, p=1):
// ~50 ms here, affordable per sign-in on a 2-core hospital server.
const ARGON2ID = 2 as Algorithm;
const HASH_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** Longer inputs are refused before hashing: megabyte "passwords" are a cheap way to burn CPU. */
export const MAX_PASSWORD_LENGTH = 1024;

export async function hashPassword(password: string): Promise<string> {
  return hash(password, HASH_OPTIONS);
}

/** False for a wrong password and for a malformed stored hash (never throws). */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let decoyHash: Promise<string> | undefined;

/**
 * Spends the same time as verifying a real password, for sign-ins with an
 * unknown email: otherwise the response time tells which emails exist.
 */
export async function verifyAgainstDecoy(password: string): Promise<void> {
  decoyHash ??= hashPassword(generatePassword());
  await verifyPassword(await decoyHash, password.slice(0, MAX_PASSWORD_LENGTH));
}

// No 0/O, 1/l/I: the generated admin password is read off a console and typed.
const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A strong random password: 24 characters, ~140 bits. */
export function generatePassword(length = 24): string {
  let password = '';
  for (let index = 0; index < length; index += 1) password += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return password;
}

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generatePassword, hashPassword, verifyPassword } from './password';

describe('passwords', () => {
  it('hashes with argon2id and verifies only the right password', async () => {
    const passwordHash = await hashPassword('correct horse battery staple');
    assert.match(passwordHash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await verifyPassword(passwordHash, 'correct horse battery staple'), true);
    assert.equal(await verifyPassword(passwordHash, 'Correct horse battery staple'), false);
  });

  it('treats a malformed stored hash and an absurdly long password as a wrong password', async () => {
    assert.equal(await verifyPassword('not-a-hash', 'anything'), false);
    const passwordHash = await hashPassword('x');
    assert.equal(await verifyPassword(passwordHash, 'x'.repeat(5000)), false);
  });

  it('generates distinct 24-character passwords without look-alike characters', () => {
    const passwords = new Set(Array.from({ length: 50 }, () => generatePassword()));
    assert.equal(passwords.size, 50);
    for (const password of passwords) assert.match(password, /^[A-HJ-NP-Za-km-z2-9]{24}$/);
  });
});

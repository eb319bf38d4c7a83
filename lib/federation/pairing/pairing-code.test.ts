import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../../errors';
import { decodePairingCode, encodePairingCode, groupFingerprint } from './pairing-code';

const content = { url: 'https://pacs.uni.example', nodeId: 'node-1', fingerprint: 'AB12'.repeat(16), secret: 'sekret' };

function fieldError(text: unknown): string | undefined {
  try {
    decodePairingCode(text);
  } catch (error) {
    assert.ok(error instanceof DomainError);
    assert.equal(error.code, 'INVALID_INPUT');
    return error.fields?.code;
  }
  return undefined;
}

describe('pairing codes', () => {
  it('round-trips, whitespace and line breaks of a pasted code ignored', () => {
    const code = encodePairingCode({ ...content, fingerprint: groupFingerprint(content.fingerprint) });
    assert.deepEqual(decodePairingCode(`  ${code.slice(0, 20)}\n${code.slice(20)} `), content);
  });

  it('says what is wrong with a code that is not one, damaged, or names no http(s) node', () => {
    assert.match(fieldError('') ?? '', /Paste the pairing code/);
    assert.match(fieldError('hello') ?? '', /not a Telepacs pairing code/);
    assert.match(fieldError('TPN1.@@@') ?? '', /damaged/);
    assert.match(fieldError(encodePairingCode({ ...content, fingerprint: 'short' })) ?? '', /damaged/);
    assert.match(fieldError(encodePairingCode({ ...content, url: 'ftp://x.example' })) ?? '', /no http\(s\) node address/);
  });
});

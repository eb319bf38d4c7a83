import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../config/config';
import { iceServersFor, turnRestCredentials, TURN_CREDENTIAL_LIFETIME_SECONDS } from './ice-servers';

const NOW = new Date(1_700_000_000_000);

describe('iceServersFor', () => {
  it('gives no ICE servers when none are configured (host candidates only: a LAN or loopback)', () => {
    assert.deepEqual(iceServersFor(loadConfig({}), 'user-1', NOW), []);
  });

  it('lists the STUN servers in one entry, without credentials', () => {
    const config = loadConfig({ STUN_URLS: 'stun:stun.hospital.example:3478, stuns:stun.hospital.example' });
    assert.deepEqual(iceServersFor(config, 'user-1', NOW), [{ urls: ['stun:stun.hospital.example:3478', 'stuns:stun.hospital.example'] }]);
  });

  it('makes TURN REST credentials with coturn use-auth-secret: "<expiry>:<userId>" and base64 HMAC-SHA1 of it', () => {
    const config = loadConfig({ TURN_URLS: 'turn:turn.hospital.example:3478?transport=udp,turns:turn.hospital.example:5349', TURN_SECRET: 'north-wing-turn-secret' });
    const [turn] = iceServersFor(config, 'user-1', NOW);
    const expiry = 1_700_000_000 + TURN_CREDENTIAL_LIFETIME_SECONDS;
    assert.equal(expiry, 1_700_043_200, '12 hours');
    assert.deepEqual(turn, {
      urls: ['turn:turn.hospital.example:3478?transport=udp', 'turns:turn.hospital.example:5349'],
      username: `${expiry}:user-1`,
      // echo -n "1700043200:user-1" | openssl dgst -sha1 -hmac north-wing-turn-secret -binary | base64
      credential: 'CPR0kEEV4pTs2hJM3q6wi15DX0o=',
    });
  });

  it('gives each user their own TURN credentials, and new ones later', () => {
    const config = loadConfig({ TURN_URLS: 'turn:turn.hospital.example', TURN_SECRET: 'north-wing-turn-secret' });
    const first = iceServersFor(config, 'user-1', NOW)[0];
    assert.notEqual(first.credential, iceServersFor(config, 'user-2', NOW)[0].credential);
    assert.notEqual(first.username, iceServersFor(config, 'user-1', new Date(NOW.getTime() + 60_000))[0].username);
  });

  it('hands out static TURN credentials as configured, after the STUN entry', () => {
    const config = loadConfig({ STUN_URLS: 'stun:10.0.0.9', TURN_URLS: 'turn:[fd00::9]:3478', TURN_USERNAME: 'telepacs', TURN_CREDENTIAL: 'long-term password' });
    assert.deepEqual(iceServersFor(config, 'user-1', NOW), [
      { urls: ['stun:10.0.0.9'] },
      { urls: ['turn:[fd00::9]:3478'], username: 'telepacs', credential: 'long-term password' },
    ]);
  });

  it('turnRestCredentials takes another lifetime', () => {
    assert.equal(turnRestCredentials('north-wing-turn-secret', 'u', NOW, 60).username, '1700000060:u');
  });
});

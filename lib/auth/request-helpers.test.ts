import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { normalizeForwardedHeaders, resolveClientAddress } from './client-address';
import { isSameOriginRequest } from './same-origin';
import { clearedSessionCookieHeader, readCookie, sessionCookieHeader } from './session-cookie';

describe('session cookie', () => {
  it('is httpOnly and SameSite=Lax, Secure only over TLS', () => {
    assert.equal(sessionCookieHeader('abc', { secure: false }), 'telepacs_session=abc; Path=/; HttpOnly; SameSite=Lax');
    assert.match(sessionCookieHeader('abc', { secure: true }), /; Secure$/);
    assert.match(clearedSessionCookieHeader({ secure: false }), /^telepacs_session=; .*Max-Age=0/);
  });

  it('is read from a Cookie header among others', () => {
    assert.equal(readCookie('a=1; telepacs_session=tok=en; b=2', 'telepacs_session'), 'tok=en');
    assert.equal(readCookie('a=1', 'telepacs_session'), undefined);
    assert.equal(readCookie(undefined, 'telepacs_session'), undefined);
  });
});

describe('isSameOriginRequest', () => {
  it('accepts an Origin naming the Host, and a Referer when Origin is absent', () => {
    assert.equal(isSameOriginRequest({ origin: 'http://pacs.local:3000', host: 'pacs.local:3000' }), true);
    assert.equal(isSameOriginRequest({ referer: 'https://pacs.local/upload', host: 'PACS.local' }), true);
  });

  it('refuses another origin, a missing Origin and Referer, and the opaque "null" origin', () => {
    assert.equal(isSameOriginRequest({ origin: 'https://evil.example', host: 'pacs.local' }), false);
    assert.equal(isSameOriginRequest({ host: 'pacs.local' }), false);
    assert.equal(isSameOriginRequest({ origin: 'null', referer: 'https://pacs.local/', host: 'pacs.local' }), false);
    assert.equal(isSameOriginRequest({ origin: 'https://pacs.local.evil.example', host: 'pacs.local' }), false);
  });

  it('accepts the forwarded host given behind a trusted proxy', () => {
    assert.equal(isSameOriginRequest({ origin: 'https://pacs.example', host: '127.0.0.1:3000', forwardedHost: 'pacs.example' }), true);
  });
});

describe('client address', () => {
  const forwarded = { 'x-forwarded-for': '6.6.6.6, 203.0.113.7', 'x-forwarded-proto': 'https' };

  it('ignores X-Forwarded-* unless the proxy is trusted', () => {
    assert.deepEqual(resolveClientAddress({ headers: forwarded, remoteAddress: '::ffff:10.0.0.2', secure: false }, false), {
      ip: '10.0.0.2',
      secure: false,
    });
  });

  it('takes the address our proxy appended (right-most) and its protocol when trusted', () => {
    assert.deepEqual(resolveClientAddress({ headers: forwarded, remoteAddress: '10.0.0.2', secure: false }, true), {
      ip: '203.0.113.7',
      secure: true,
    });
  });

  it('overwrites forged forwarding headers before Next sees them', () => {
    const request = new IncomingMessage(new Socket());
    request.headers = { ...forwarded, 'x-forwarded-host': 'evil.example' };
    normalizeForwardedHeaders(request, false);
    assert.equal(request.headers['x-forwarded-for'], '');
    assert.equal(request.headers['x-forwarded-proto'], 'http');
    assert.equal(request.headers['x-forwarded-host'], undefined);
  });
});

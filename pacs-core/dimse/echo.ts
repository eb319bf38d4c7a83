// C-ECHO SCU (PS3.4 A.4, PS3.7 9.1.5): "is this peer there and does it accept
// us?" — the test button of a peer's configuration. Opens an association,
// sends one C-ECHO-RQ, releases.
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type * as DcmjsDimse from 'dcmjs-dimse';
import { configureDcmjsDimse, constants, requests } from './dcmjs-dimse';
import type { DicomPeerAddress } from './scu';
import { tlsClientOptions, type DicomTlsCredentials } from './tls';

// Client is not among dcmjs-dimse.ts's exports; loaded the same way (CommonJS).
const { Client } = createRequire(import.meta.url)('dcmjs-dimse') as typeof DcmjsDimse;

/**
 * Why an echo failed, in DICOM terms: the peer rejected the association, it
 * answered the C-ECHO with a failure status, or no DICOM answer came at all
 * (nothing listens, no route, a timeout, something that is not DICOM).
 */
export type EchoFailure = 'association-rejected' | 'echo-failed' | 'no-dicom-answer';

export type EchoResult =
  | { ok: true; /** association + C-ECHO + release, ms */ totalMs: number; /** C-ECHO-RQ to C-ECHO-RSP, ms */ echoMs: number }
  | { ok: false; totalMs: number; failure: EchoFailure; /** the details, for the server log */ error: string };

const DEFAULT_TIMEOUT_MS = 10_000;

/** `tls`: our credentials, used when the peer has `tls` (a TLS peer without them fails, it is never tried in the clear). */
export function echoPeer(peer: DicomPeerAddress, options: { callingAet: string; timeoutMs?: number; tls?: DicomTlsCredentials }): Promise<EchoResult> {
  configureDcmjsDimse();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  if (peer.tls && !options.tls) {
    return Promise.resolve({ ok: false, totalMs: 0, failure: 'no-dicom-answer', error: 'the peer uses DICOM TLS, which is not configured on this server (DICOM_TLS_PORT)' });
  }
  return new Promise((resolve) => {
    let settled = false;
    let acceptedAt: number | undefined;
    let response: { status: number; at: number } | undefined;
    let failure: string | undefined;
    let rejected = false;
    const finish = (result: EchoResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const client = new Client();
    const timer = setTimeout(() => {
      finish({ ok: false, totalMs: elapsed(), failure: 'no-dicom-answer', error: `no answer within ${timeoutMs / 1000} s` });
      // A silent peer would keep the connection (and this process) open: the
      // Client keeps its socket on its network (dcmjs-dimse is pinned exactly).
      (client as unknown as { network?: { socket?: Socket } }).network?.socket?.destroy();
    }, timeoutMs);

    const request = new requests.CEchoRequest();
    request.on('response', (echoResponse: { getStatus(): number }) => {
      response = { status: echoResponse.getStatus(), at: performance.now() };
    });
    client.addRequest(request);
    client.on('associationAccepted', () => {
      acceptedAt = performance.now();
    });
    client.on('associationRejected', (reject: { result: number; source: number; reason: number }) => {
      // PS3.8 Table 9-21: source 1 reason 3 = calling AE not recognized, 7 = called AE not recognized
      rejected = true;
      failure = `association rejected (result ${reject.result}, source ${reject.source}, reason ${reject.reason})`;
    });
    client.on('networkError', (error: Error & { code?: string }) => {
      failure ??= describeNetworkError(error, peer);
      finish({ ok: false, totalMs: elapsed(), failure: rejected ? 'association-rejected' : 'no-dicom-answer', error: failure });
    });
    client.on('closed', () => {
      if (response && response.status === constants.Status.Success) {
        finish({ ok: true, totalMs: elapsed(), echoMs: Math.round((response.at - (acceptedAt ?? started)) * 10) / 10 });
      } else if (response) {
        finish({ ok: false, totalMs: elapsed(), failure: 'echo-failed', error: `C-ECHO answered with status 0x${response.status.toString(16).padStart(4, '0')}` });
      } else {
        finish({ ok: false, totalMs: elapsed(), failure: rejected ? 'association-rejected' : 'no-dicom-answer', error: failure ?? 'the peer closed the connection without answering' });
      }
    });
    client.send(peer.host, peer.port, options.callingAet, peer.aet, {
      connectTimeout: timeoutMs,
      associationTimeout: timeoutMs,
      pduTimeout: timeoutMs,
      ...(peer.tls && options.tls ? { securityOptions: tlsClientOptions(options.tls) } : {}),
    });
  });
}

/** Words for an administrator; dcmjs-dimse prefixes its messages with "<AET> -> ". */
function describeNetworkError(error: Error & { code?: string }, peer: DicomPeerAddress): string {
  const text = (error.message || 'network error').replace(/^.*? -> /, '');
  if (/ECONNREFUSED/.test(text)) return `connection refused: nothing listens on ${peer.host}:${peer.port}`;
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) return `unknown host ${peer.host}`;
  if (/EHOSTUNREACH|ENETUNREACH/.test(text)) return `${peer.host} cannot be reached from this server`;
  // PS3.8 9.3: PDU types are 01-07; anything else (e.g. 72, "H" of an HTTP answer) is not a DICOM peer.
  if (/Unknown PDU type/i.test(text)) return `${peer.host}:${peer.port} answered, but not in DICOM (${text.replace(/^.*?error: /i, '')})`;
  if (/timeout|ETIMEDOUT/i.test(text)) return `no answer from ${peer.host}:${peer.port} (timed out)`;
  // DICOM TLS: our check of its certificate, its check of ours, or no TLS there at all
  if (/certificate|altnames|CERT_|UNABLE_TO_(GET|VERIFY)/i.test(text)) return `TLS: the peer's certificate was not accepted (${text})`;
  if (/alert (unknown ca|bad certificate|certificate|handshake failure|access denied)/i.test(text)) return `TLS: the peer refused the connection (${text})`;
  if (/wrong version number|packet length too long|unexpected eof|socket disconnected before secure/i.test(text)) return `TLS: no DICOM TLS at ${peer.host}:${peer.port} (${text})`;
  return text;
}

import { z } from 'zod';
import { isValidAeTitle } from '../config/config';

// Host names (RFC 1123 labels) or IPv4 / IPv6 literals; the same hosts DICOM_PEERS accepts.
export const HOST_PATTERN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$/;


/** A host name or an IP address (IPv6 with or without brackets), as a form field; `example` shows in the message. */
export function zHost(example: string) {
  return z
    .string({ error: 'Enter the host name or IP address' })
    .trim()
    .min(1, 'Enter the host name or IP address')
    .max(253, 'A host name has at most 253 characters')
    .transform((host) => host.replace(/^\[|\]$/g, ''))
    .refine((host) => HOST_PATTERN.test(host), `Enter a host name (${example}) or an IP address (10.0.0.5)`);
}

/** A TCP port, as a form field (a number or its digits). */
export const zPort = z.coerce
  .number({ error: 'Enter the port number' })
  .int('The port is a whole number')
  .min(1, 'The port is between 1 and 65535')
  .max(65535, 'The port is between 1 and 65535');

export const ZDicomPeerRequest = z.object({
  aet: z
    .string({ error: 'Enter the AE title' })
    .refine((aet) => isValidAeTitle(aet), 'AE title: 1-16 characters, no backslash or control characters')
    .transform((aet) => aet.trim()),
  host: zHost('pacs.hospital.org'),
  port: zPort,
  description: z.string().trim().max(200, 'Use at most 200 characters').optional().default(''),
  /** DICOM TLS both ways (PS3.15 Annex B): it may associate only on DICOM_TLS_PORT; we send to it over TLS */
  tls: z.boolean({ error: 'Use DICOM TLS: true or false' }).optional().default(false),
  /** Its associations must present a certificate that chains to DICOM_TLS_CA (implies tls) */
  requireClientCertificate: z.boolean({ error: 'Require its client certificate: true or false' }).optional().default(false),
  // Skips the check of the calling address (README "The DICOM door"): only
  // when the admin ticks it, never by default and never by omission.
  anyAddress: z.boolean({ error: 'Any address is true or false' }).optional().default(false),
}).transform((peer) => ({ ...peer, tls: peer.tls || peer.requireClientCertificate }));
export type TDicomPeerRequest = z.input<typeof ZDicomPeerRequest>;

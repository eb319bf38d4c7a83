// The input of a report signing certificate import (route, page and tests
// share it): PEM text as a CA hands it out, or a PKCS#12 file (base64) and its passphrase.
import { z } from 'zod';

const MAX_PEM = 200_000;

export const ZImportSigningCertificateRequest = z.discriminatedUnion('format', [
  z.object({
    format: z.literal('pem'),
    certificate: z.string({ error: 'Paste the certificate (PEM)' }).trim().min(1, 'Paste the certificate (PEM)').max(MAX_PEM),
    privateKey: z.string({ error: 'Paste its private key (PEM)' }).trim().min(1, 'Paste its private key (PEM)').max(MAX_PEM),
  }),
  z.object({
    format: z.literal('pkcs12'),
    pkcs12: z.base64({ error: 'The PKCS#12 file, base64-encoded' }).min(1).max(MAX_PEM),
    passphrase: z.string().max(1024).default(''),
  }),
], { error: 'Say the format: pem or pkcs12' });
export type ImportSigningCertificateRequest = z.input<typeof ZImportSigningCertificateRequest>;

/** The certificate as the admin page and the API show it */
export interface SigningCertificateView {
  subject: string;
  issuer: string;
  selfSigned: boolean;
  notBefore: string;
  notAfter: string;
  sha256Fingerprint: string;
}

// A facility admin replaces the certificate the facility's report PDFs are
// signed with (made self-signed at the first signature) by one the hospital's
// CA issued: PEM certificate and key, or a PKCS#12 file. The checks (the key
// belongs to the certificate, valid now, a signing key of at least 2048 bits)
// and the storage are lib/reports/pdf/facility-signing-certificate.ts; the
// next signed report carries it, older PDFs keep theirs. Audited with the
// new certificate's fingerprint.
import { administrationAudit } from '../admin/administration-audit';
import type { AdminActor, AdminContext } from '../admin/context';
import { parseInput } from '../admin/errors';
import { recordAudit } from '../audit/record-audit';
import { authorizeAdminArea } from '../policy/admin-area';
import { importFacilitySigningCertificate, importFacilitySigningCertificatePem, type SigningCertificateSummary } from '../reports/pdf/facility-signing-certificate';
import { ZImportSigningCertificateRequest, type SigningCertificateView } from './report-signing-certificate.types';

export async function importReportSigningCertificate(context: AdminContext, actor: AdminActor, facilityId: string, input: unknown): Promise<SigningCertificateView> {
  const { db, config } = context;
  await authorizeAdminArea(db, actor.userId, facilityId);
  const request = parseInput(ZImportSigningCertificateRequest, input);
  const imported =
    request.format === 'pem'
      ? await importFacilitySigningCertificatePem(config.dataDir, facilityId, request)
      : await importFacilitySigningCertificate(config.dataDir, facilityId, Buffer.from(request.pkcs12, 'base64'), request.passphrase);
  const view = signingCertificateView(imported);
  await recordAudit(
    db,
    administrationAudit(actor, {
      action: 'admin.facility.signing_certificate',
      facilityId,
      resource: `facility:${facilityId}`,
      details: { format: request.format, subject: view.subject, issuer: view.issuer, sha256Fingerprint: view.sha256Fingerprint, notAfter: view.notAfter },
    }),
  );
  return view;
}

export function signingCertificateView(summary: SigningCertificateSummary): SigningCertificateView {
  return { ...summary, notBefore: summary.notBefore.toISOString(), notAfter: summary.notAfter.toISOString() };
}

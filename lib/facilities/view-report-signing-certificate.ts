// What a facility admin is shown of the certificate the facility's report
// PDFs are signed with: subject, issuer, validity, SHA-256 fingerprint,
// self-signed or not; null before the first signature made one.
import type { AdminActor, AdminContext } from '../admin/context';
import { authorizeAdminArea } from '../policy/admin-area';
import { readFacilitySigningCertificate } from '../reports/pdf/facility-signing-certificate';
import { signingCertificateView } from './import-report-signing-certificate';
import type { SigningCertificateView } from './report-signing-certificate.types';

export async function viewReportSigningCertificate(context: Pick<AdminContext, 'db' | 'config'>, actor: Pick<AdminActor, 'userId'>, facilityId: string): Promise<SigningCertificateView | null> {
  await authorizeAdminArea(context.db, actor.userId, facilityId);
  const summary = readFacilitySigningCertificate(context.config.dataDir, facilityId);
  return summary && signingCertificateView(summary);
}

// The certificate the facility's report PDFs are signed with (facility admins; NOT_FOUND for everyone else):
// GET → {certificate: {subject, issuer, selfSigned, notBefore, notAfter, sha256Fingerprint} | null (none made yet)}
// PUT {format: 'pem', certificate, privateKey} | {format: 'pkcs12', pkcs12 (base64), passphrase}
//     → {certificate}; 400 with fields.certificate / fields.privateKey: not PEM, key not the certificate's,
//     expired or not yet valid, not a signing key, RSA under 2048 bits, wrong PKCS#12 passphrase.
import { importReportSigningCertificate } from '../../../../../../lib/facilities/import-report-signing-certificate';
import { viewReportSigningCertificate } from '../../../../../../lib/facilities/view-report-signing-certificate';
import { getRuntime } from '../../../../../../lib/runtime';
import { jsonBody, noStore, withSignedInCaller } from '../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ facilityId: string }> };

export async function GET(request: Request, { params }: Params): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'view report signing certificate', async (_caller, actor) => noStore({ certificate: await viewReportSigningCertificate(getRuntime(), actor, facilityId) }));
}

export async function PUT(request: Request, { params }: Params): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'import report signing certificate', async (_caller, actor) =>
    noStore({ certificate: await importReportSigningCertificate(getRuntime(), actor, facilityId, await jsonBody(request)) }),
  );
}

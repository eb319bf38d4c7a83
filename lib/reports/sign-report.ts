// The author signs the version they wrote, or the colleague they asked to
// sign it (co-signature, request-cosignature.ts: then the colleague is the
// signer and the SR's verifying observer; the author stays the author). By
// re-entering their password (a session alone cannot sign), checked and
// throttled exactly like sign-in (lib/auth/verify-credentials.ts, door
// report.sign: a wrong password is a refused attempt in the audit trail and
// counts toward the same limits).
// Then claim → produce the PDF and DICOM objects → commit, as
// signed-artifacts.ts explains: written together or not at all. The signed
// version records signer, time and the SHA-256 of its canonical content
// (canonical-content.ts) and is locked; the signed version it replaces (an
// amendment's or addendum's predecessor) is marked superseded.
import { randomUUID } from 'node:crypto';
import { parseInput } from '../admin/errors';
import { verifyCredentials } from '../auth/verify-credentials';
import { DomainError } from '../errors';
import type { Principal } from '../policy/principal';
import { isEmptyReport } from './apply-sections';
import { contentSha256, type SignedContent } from './canonical-content';
import { loadReport, requireRevision, signableVersionOf, type LoadedReport } from './load-report';
import { emptyReport } from './make-preliminary';
import { recordReportAudit } from './report-audit';
import { publishReportChanged, type ReportEventContext } from './report-events';
import { SIGNED_STATUS_OF, ZSignReportRequest, type ReportContext } from './report-types';
import { reportView, type ReportView } from './report-view';
import { announceReferralCompleted, completeReferralInSignature, type CompletedReferral } from '../referrals/complete-referral';
import { notBeingSigned, type ProduceSignedArtifacts, type SignedArtifacts } from './signed-artifacts';
import { queueReportForRis } from '../hl7/report/queue-report-for-ris';
import { wakeJobRunners } from '../jobs/job-signals';

export type SignContext = ReportContext & ReportEventContext & { produceSignedArtifacts: ProduceSignedArtifacts };

export async function signReport(context: SignContext, principal: Principal, reportId: string, input: unknown): Promise<ReportView> {
  const { db } = context;
  const { baseRevision, password } = parseInput(ZSignReportRequest, input);
  const report = await loadReport(db, principal, reportId, 'write');
  const working = signableVersionOf(report, principal);
  requireRevision(report, baseRevision);
  if (isEmptyReport(working.sections, working.kind)) throw emptyReport();
  const signer = await checkPassword(context, principal, password);

  const token = randomUUID();
  const claimedAt = new Date();
  const claimed = await db.report.updateMany({
    where: { id: report.id, revision: baseRevision, ...notBeingSigned(claimedAt) },
    data: { signingToken: token, signingSince: claimedAt },
  });
  if (claimed.count !== 1) throw alreadySigning();

  const status = SIGNED_STATUS_OF[working.kind];
  const predecessor = report.versions.filter((version) => version.signedAt && version.version < working.version).pop();
  const content: SignedContent = {
    reportId: report.id,
    version: working.version,
    kind: working.kind,
    status,
    facilityId: report.study.facilityId,
    studyInstanceUid: report.study.studyInstanceUid,
    patientId: report.study.patientId,
    sections: working.sections,
    comparisonStudyUid: working.comparisonStudyUid,
    keyImages: working.keyImages,
    reason: working.reason,
    signer,
    signedAt: claimedAt.toISOString(),
    predecessor: predecessor?.contentSha256 ? { version: predecessor.version, contentSha256: predecessor.contentSha256 } : null,
  };
  const sha256 = contentSha256(content);

  let artifacts: SignedArtifacts;
  try {
    artifacts = await context.produceSignedArtifacts({ ...content, contentSha256: sha256 });
  } catch (error) {
    await releaseClaim(context, report.id, token);
    context.logger.error('report signature: artifacts failed', { reportId: report.id, version: working.version, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    throw new DomainError('SIGN_FAILED', 'the signed PDF or DICOM objects could not be made or stored', {
      userMessage: 'The report was NOT signed: its PDF or its copy in the archive could not be made. Nothing was stored; the report is as you left it. Try again, and tell your administrator if it keeps happening.',
    });
  }

  let committed: { completed: CompletedReferral | null; queuedForRis: boolean };
  try {
    committed = await commitSignature(context, principal, report, { token, status, sha256, signedAt: claimedAt, versionId: working.id, version: working.version, authorId: working.authorId, artifacts });
  } catch (error) {
    await artifacts.discard?.().catch((discardError: unknown) => context.logger.error('report signature: discarding artifacts failed', { reportId: report.id, error: String(discardError) }));
    await releaseClaim(context, report.id, token);
    throw error;
  }
  const { completed, queuedForRis } = committed;
  if (queuedForRis) wakeJobRunners();
  const { facilityId, studyInstanceUid } = report.study;
  await publishReportChanged(context, { studyInstanceUid, facilityId, reportId: report.id, status, version: working.version, referralId: report.referralId });
  if (completed) await announceReferralCompleted(context, completed);
  return reportView(db, await loadReport(db, principal, reportId, 'write'), principal.userId);
}

async function checkPassword(context: SignContext, principal: Principal, password: string): Promise<SignedContent['signer']> {
  const check = await verifyCredentials(context, { email: principal.email, password, ip: principal.ip, door: 'report.sign' });
  if (check.ok && check.user.id === principal.userId) return check.user;
  if (!check.ok && check.reason === 'RATE_LIMITED') {
    const message = `Too many attempts. Try again in ${check.retryAfterSeconds} seconds.`;
    throw new DomainError('RATE_LIMITED', 'report signature throttled', { userMessage: message, retryAfterSeconds: check.retryAfterSeconds, fields: { password: message } });
  }
  throw new DomainError('INVALID_INPUT', 'wrong password at signature', { userMessage: 'That is not your password: the report was not signed.', fields: { password: 'That is not your password' } });
}

async function commitSignature(
  context: SignContext,
  principal: Principal,
  report: LoadedReport,
  signing: { token: string; status: string; sha256: string; signedAt: Date; versionId: string; version: number; authorId: string; artifacts: SignedArtifacts },
): Promise<{ completed: CompletedReferral | null; queuedForRis: boolean }> {
  return context.db.$transaction(async (tx) => {
    const committed = await tx.report.updateMany({
      where: { id: report.id, signingToken: signing.token },
      // A pending co-signature request ends with the signature, whoever signed
      data: { signingToken: null, signingSince: null, signerRequestedUserId: null, signerRequestedAt: null, revision: { increment: 1 }, status: signing.status, publishedVersion: signing.version },
    });
    // Our claim expired and another signature took it over
    if (committed.count !== 1) throw alreadySigning();
    await tx.reportVersion.updateMany({ where: { reportId: report.id, version: { lt: signing.version }, signedAt: { not: null }, supersededAt: null }, data: { supersededAt: signing.signedAt } });
    await tx.reportVersion.update({
      where: { id: signing.versionId },
      data: {
        status: signing.status,
        signedById: principal.userId,
        signedAt: signing.signedAt,
        contentSha256: signing.sha256,
        artifacts: signing.artifacts.summary ? JSON.stringify(signing.artifacts.summary) : null,
      },
    });
    await signing.artifacts.persist?.(tx);
    await recordReportAudit(tx, principal, report, 'report.sign', {
      version: signing.version,
      reportStatus: signing.status,
      contentSha256: signing.sha256,
      ...(signing.authorId !== principal.userId ? { cosignedForUserId: signing.authorId } : {}),
      ...(signing.artifacts.summary ? { artifacts: signing.artifacts.summary } : {}),
    });
    // Every signed version goes to the facility's RIS when it has an HL7 destination (lib/hl7/report), queued in this transaction
    const queuedForRis = (await queueReportForRis(tx, { reportId: report.id, referralId: report.referralId, facilityId: report.study.facilityId, versionId: signing.versionId, version: signing.version })) !== null;
    // The first signature of a case's report completes the case, in this transaction (lib/referrals)
    const firstSignature = !report.versions.some((version) => version.signedAt);
    const completed = report.referralId && firstSignature ? await completeReferralInSignature(context, tx, principal, { id: report.id, referralId: report.referralId }, signing.signedAt) : null;
    return { completed, queuedForRis };
  });
}

async function releaseClaim(context: SignContext, reportId: string, token: string): Promise<void> {
  await context.db.report.updateMany({ where: { id: reportId, signingToken: token }, data: { signingToken: null, signingSince: null } });
}

function alreadySigning(): DomainError {
  return new DomainError('CONFLICT', 'the report was signed or changed meanwhile', {
    userMessage: 'This report was just signed or changed by someone else. Reload it to see the newest version.',
  });
}

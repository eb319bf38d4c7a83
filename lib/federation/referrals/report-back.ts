// The signed report of a case received from another node goes back to the requester's node
// (issue 19), with the 'complete' change (relay-referral-change.ts):
// - reportForPeer (the expert's node): the signed version's sections, signer, time and
//   content hash, and its two DICOM objects as stored in this node's archive (the signed
//   Encapsulated PDF and the TID 2000 SR), each with the SHA-256 it was stored with;
// - fileReportObjects then createReportFromPeer (the requester's node): each object checked
//   against its SHA-256, then filed through the archive's one ingest path into the requesting
//   facility's copy of the study (the report's UIDs and series are the expert node's: the same
//   objects at both nodes), and the case's Report row made as a signed one (its PDF is the archived object's,
//   as for a report signed here: lib/reports/report-pdf.ts). The requesting facility needs no
//   other legal basis: it asked for this report about its own patient.
import { createHash } from 'node:crypto';
import type { Archive } from '../../../pacs-core/archive';
import type { JobContext } from '../../jobs/registry';
import type { ReferralTx } from '../../referrals/address-referral';
import { DomainError } from '../../errors';
import type { ReportSection } from '../../reports/report-types';
import type { ReferralChangeInput } from './referral-words';
import type { z } from 'zod';
import type { ZReferralChange } from './referral-words';

type OutgoingReport = NonNullable<ReferralChangeInput['report']>;
export type IncomingReport = NonNullable<z.output<typeof ZReferralChange>['report']>;

export async function reportForPeer(context: Pick<JobContext, 'db' | 'archive'>, reportId: string): Promise<OutgoingReport> {
  const { db, archive } = context;
  const report = await db.report.findUniqueOrThrow({ where: { id: reportId }, select: { facilityId: true, studyInstanceUid: true, publishedVersion: true } });
  const version = await db.reportVersion.findFirstOrThrow({ where: { reportId, signedAt: { not: null }, ...(report.publishedVersion ? { version: report.publishedVersion } : {}) }, orderBy: { version: 'desc' } });
  const signer = version.signedById ? await db.user.findUnique({ where: { id: version.signedById }, select: { name: true, email: true } }) : null;
  const artifacts = JSON.parse(version.artifacts ?? '{}') as { pdfSopInstanceUid?: string; srSopInstanceUid?: string };
  if (!artifacts.pdfSopInstanceUid || !artifacts.srSopInstanceUid) throw new Error(`report ${reportId} has no archived PDF and SR to send`);
  const objects = [];
  for (const sopInstanceUid of [artifacts.pdfSopInstanceUid, artifacts.srSopInstanceUid]) {
    const instance = await db.instance.findFirstOrThrow({ where: { sopInstanceUid, series: { study: { facilityId: report.facilityId, studyInstanceUid: report.studyInstanceUid } } }, select: { blobKey: true, sha256: true } });
    const bytes = await archive.store.get(instance.blobKey);
    objects.push({ sopInstanceUid, sha256: instance.sha256, dicom: bytes.toString('base64') });
  }
  return {
    sections: JSON.parse(version.sections) as ReportSection[],
    signerName: signer?.name || signer?.email || 'Expert',
    signedAt: version.signedAt!.toISOString(),
    contentSha256: version.contentSha256 ?? createHash('sha256').update(version.sections).digest('hex'),
    objects,
    pdfSopInstanceUid: artifacts.pdfSopInstanceUid,
    srSopInstanceUid: artifacts.srSopInstanceUid,
  };
}

/** Before the case's transaction: the objects checked and filed in the requesting facility's copy (a retry files the same bytes: duplicates). */
export async function fileReportObjects(archive: Archive, report: IncomingReport, facilityId: string, referralId: string): Promise<void> {
  for (const object of report.objects) {
    const bytes = Buffer.from(object.dicom, 'base64');
    if (createHash('sha256').update(bytes).digest('hex') !== object.sha256) throw new DomainError('BAD_REQUEST', `report object ${object.sopInstanceUid}: its bytes are not those of its SHA-256`);
    const stored = await archive.ingest(bytes, { kind: 'import', source: `referral:${referralId}` }, facilityId);
    if (stored.sopInstanceUid !== object.sopInstanceUid) throw new DomainError('BAD_REQUEST', `report object ${object.sopInstanceUid}: the DICOM object is ${stored.sopInstanceUid}`);
  }
}

/** In the case's transaction: the case's report row, signed by the expert of the other node (their mirrored user). */
export async function createReportFromPeer(tx: ReferralTx, referral: { id: string; facilityId: string; studies: { studyRef: string | null; studyInstanceUid: string; primary: boolean }[] }, report: IncomingReport, expertId: string): Promise<string> {
  const primary = referral.studies.find((study) => study.primary) ?? referral.studies[0];
  const existing = await tx.report.findUnique({ where: { referralId: referral.id }, select: { id: true } });
  if (existing) return existing.id;
  const created = await tx.report.create({
    data: {
      studyRef: primary.studyRef,
      facilityId: referral.facilityId,
      studyInstanceUid: primary.studyInstanceUid,
      authorId: expertId,
      status: 'FINAL',
      currentVersion: 1,
      publishedVersion: 1,
      referralId: referral.id,
      reportKey: referral.id,
      versions: {
        create: {
          version: 1, kind: 'ORIGINAL', status: 'FINAL', authorId: expertId, sections: JSON.stringify(report.sections), signedById: expertId, signedAt: report.signedAt, contentSha256: report.contentSha256,
          artifacts: JSON.stringify({ pdfSopInstanceUid: report.pdfSopInstanceUid, srSopInstanceUid: report.srSopInstanceUid }),
        },
      },
    },
    select: { id: true },
  });
  return created.id;
}


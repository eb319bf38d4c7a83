// The hook through which signing makes the report's PDF and DICOM objects
// (issue 14: the signed PDF, an Encapsulated PDF and a TID 2000 SR in the
// archive). The sign operation (sign-report.ts) runs it between claiming the
// signature and committing it, so that the report row, the PDF and the
// DICOM objects are written together or not at all:
//
//   1. claim: a conditional update marks the report "being signed" (a racing
//      second signer gets CONFLICT here, before anything is made);
//   2. produce: produceSignedArtifacts(content) renders and signs the PDF,
//      builds both DICOM objects and stores them through the one ingest
//      path. If it throws, the claim is released and the report stays
//      unsigned; the producer makes every object in memory first and stores
//      last (there is no instance delete: what a failed attempt stored is
//      logged as an orphan);
//   3. commit: one transaction marks the version signed (hash, signer, time),
//      supersedes the previous one, runs persist(tx) (rows that belong with
//      the signature, e.g. the PDF's) and writes the audit row. If it fails,
//      discard() deals with what the producer stored outside the database.
//
// Why not a durable job (lib/jobs) after commit: the report would read FINAL
// while its PDF and archive objects might never come; the issue wants a failed
// archive write to leave the report unsigned and say so. The window left is a
// crash between 2 and 3: the claim expires (SIGNING_CLAIM_TTL_MS), the report
// is unsigned and the stored objects are orphans (the next attempt stores
// new ones under new UIDs; see signedArtifactsProducer).
import type { Prisma } from '../../prisma/database';
import type { Runtime } from '../runtime';
import type { SignedContent } from './canonical-content';
import { produceReportArtifacts } from './produce-report-artifacts';

export interface SignedArtifacts {
  /** Written in the signing transaction (e.g. the PDF's row); a throw here unsigns */
  persist?(tx: Prisma.TransactionClient): Promise<void>;
  /** Removes what was stored outside the database when the signature is not committed */
  discard?(): Promise<void>;
  /** Kept on the version and in the audit row, e.g. { pdfSopInstanceUid, srSopInstanceUid } */
  summary?: Record<string, string>;
}

export type ProduceSignedArtifacts = (content: SignedContent & { contentSha256: string }) => Promise<SignedArtifacts>;

/** Signing records the signature only: tests of the lifecycle, and every door until the builders are wired in */
export const withoutArtifacts: ProduceSignedArtifacts = async () => ({});

/**
 * The producer every door signs with (the sign route; later FHIR or a
 * co-signature): the signed PDF, the Encapsulated PDF and the TID 2000 SR
 * stored in the study (produce-report-artifacts.ts). UIDs are new at every attempt (the archive refuses another object
 * under a stored UID, and a retried PDF differs in its signing time), so an
 * uncommitted attempt leaves orphans, which discard() logs with their UIDs:
 * the archive has no instance delete.
 */
export function signedArtifactsProducer(runtime: Pick<Runtime, 'db' | 'archive' | 'config' | 'logger'>): ProduceSignedArtifacts {
  return (content) => produceReportArtifacts(runtime, content);
}

/** A claim older than this belongs to a process that died mid-signature: it may be taken over */
export const SIGNING_CLAIM_TTL_MS = 5 * 60_000;

/**
 * The condition every change of a report adds to its conditional update: no
 * signature in progress (a claim older than the TTL is a dead process's and
 * does not count). Changes also clear such a dead claim.
 */
export function notBeingSigned(now = new Date()) {
  return { OR: [{ signingToken: null }, { signingSince: { lt: new Date(now.getTime() - SIGNING_CLAIM_TTL_MS) } }] };
}

/** True while a live signature holds the report */
export function isBeingSigned(report: { signingToken: string | null; signingSince: Date | null }, now = new Date()): boolean {
  return report.signingToken !== null && (report.signingSince === null || report.signingSince.getTime() >= now.getTime() - SIGNING_CLAIM_TTL_MS);
}

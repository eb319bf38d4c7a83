// Recording a patient's consent (or refusal) to share their images (issue 16):
// who it is for, for what, which data, how long, and the evidence (signed on
// screen with a form version and a witness, a scanned form, or verbal with a
// witness; EXTERNAL when a hospital system sends it over FHIR). The evidence is
// made into one PDF kept in the blob store before the row commits
// (document/prepare-consent-document.ts), and filed into the patient's record in
// the archive as an Encapsulated PDF by a job committed with the row.
// A deny acts at once: the grants it now covers end in the same transaction,
// and their sockets are closed after the commit (reassess-consent-grants.ts).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Archive } from '../../pacs-core/archive';
import type { Database } from '../../prisma/database';
import { AdminError, parseInput } from '../admin/errors';
import { recordAudit } from '../audit/record-audit';
import { authorizePatientConsent, type ConsentPatient } from '../policy/consent-access';
import { personRecordRefs } from '../policy/share-basis';
import { parseList } from './consent-types';
import { ZConsentPurpose } from './consent-schemas';
import { dataWords, purposeWords, recipientWords } from './consent-words';
import { prepareConsentDocument } from './document/prepare-consent-document';
import { enqueueConsentArchive } from './document/archive-consent-job';
import { wakeJobRunners } from '../jobs/job-signals';
import { reassessConsentGrants, afterReassessment, type ConsentContext, type Reassessment } from './reassess-consent-grants';

const ZRecipient = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('REGION') }).strict(),
    z.object({ kind: z.literal('FACILITY'), facilityId: z.string({ error: 'Choose a facility' }).min(1, 'Choose a facility') }).strict(),
    z.object({ kind: z.literal('SERVICE'), serviceId: z.string({ error: 'Choose a service' }).min(1, 'Choose a service') }).strict(),
    z.object({ kind: z.literal('USER'), userId: z.string({ error: 'Choose a person' }).min(1, 'Choose a person') }).strict(),
  ],
  { error: 'Choose to whom: any facility of the region, a facility, a service or a person' },
);

const ZPerson = z.string({ error: 'Type a name' }).trim().max(200, 'Use at most 200 characters');

const ZEvidence = z.discriminatedUnion(
  'kind',
  [
    z
      .object({
        kind: z.literal('SIGNED'),
        formId: z.string({ error: 'Choose the consent form the patient read' }).min(1, 'Choose the consent form the patient read'),
        /**
         * data:image/png;base64,… as a canvas gives it. Only its size is checked here: an empty or
         * unreadable one is refused by check-consent-evidence.ts at `fields.signature`, where the page shows it.
         */
        signature: z.string().max(2_000_000, 'The signature image is too large'),
        signerRole: z.enum(['PATIENT', 'REPRESENTATIVE']).default('PATIENT'),
        signerName: z.string({ error: "Type the signer's name" }).trim().max(200, 'Use at most 200 characters').min(1, "Type the signer's name"),
        representativeRelation: ZPerson.default(''),
        witnessName: z.string({ error: "Type the witness's name" }).trim().max(200, 'Use at most 200 characters').min(1, "Type the witness's name"),
      })
      .strict(),
    z.object({ kind: z.literal('SCANNED'), signerName: ZPerson.default(''), witnessName: ZPerson.default(''), note: z.string().trim().max(2000).default('') }).strict(),
    z.object({ kind: z.literal('VERBAL'), witnessName: z.string({ error: "Type the witness's name" }).trim().max(200, 'Use at most 200 characters').min(1, "Type the witness's name"), signerName: ZPerson.default(''), note: z.string().trim().max(2000, 'Use at most 2000 characters').default('') }).strict(),
    // A hospital system that collected the consent itself (FHIR, without a document): it keeps the evidence
    z.object({ kind: z.literal('EXTERNAL'), note: z.string().trim().max(2000, 'Use at most 2000 characters').default('') }).strict(),
  ],
  { error: 'Choose the evidence: signed on screen, a scanned form, or verbal with a witness' },
);

export const ZRecordConsent = z
  .object({
    decision: z.enum(['PERMIT', 'DENY'], { error: 'Choose permit or deny' }),
    recipient: ZRecipient,
    purposes: z.array(ZConsentPurpose, { error: 'Choose at least one purpose' }).min(1, 'Choose at least one purpose').max(5),
    data: z.discriminatedUnion('scope', [
      z.object({ scope: z.literal('ALL') }).strict(),
      z.object({ scope: z.literal('STUDIES'), studyUids: z.array(z.string().trim().min(1).max(64)).min(1, 'Choose at least one study').max(200) }).strict(),
    ], { error: 'Choose the data: all imaging or chosen studies' }),
    validFrom: z.coerce.date({ error: 'Give a start date' }).optional(),
    validUntil: z.coerce.date({ error: 'Give an end date' }).nullish(),
    evidence: ZEvidence,
  })
  .strict()
  .refine((input) => !input.validUntil || input.validUntil > (input.validFrom ?? new Date(0)), { message: 'The period must end after it starts', path: ['validUntil'] });

export type RecordConsentInput = z.input<typeof ZRecordConsent>;

export interface ConsentActor {
  userId: string;
  email: string;
  ip: string;
}

export type RecordConsentContext = ConsentContext & { archive: Pick<Archive, 'store'> };

/** The consent's id and what recording it ended (a deny ends the grants it covers). */
export interface RecordedConsent {
  id: string;
  grantsEnded: number;
}

/**
 * Records a consent for a patient record the actor's facility holds (NOT_FOUND otherwise).
 * `scan`: the uploaded form for SCANNED evidence (PDF or JPEG). `source`: FHIR for the API.
 */
export async function recordConsent(context: RecordConsentContext, actor: ConsentActor, patientRef: string, input: unknown, scan: { bytes: Buffer; fileName: string } | null = null, source: 'PORTAL' | 'FHIR' = 'PORTAL', now = new Date()): Promise<RecordedConsent> {
  const { db } = context;
  const patient = await authorizePatientConsent(db, actor.userId, patientRef);
  const consent = parseInput(ZRecordConsent, input);
  // The portal always has evidence of its own: only a hospital system's feed may point at evidence it keeps
  if (consent.evidence.kind === 'EXTERNAL' && source !== 'FHIR') throw new AdminError('INVALID_INPUT', 'Record how the patient consented: signed on screen, a scanned form, or verbal with a witness.', { evidence: 'Choose the evidence' });
  if (consent.evidence.kind === 'SCANNED' && !scan) throw new AdminError('INVALID_INPUT', 'Upload the scanned consent form (PDF or JPEG).', { scan: 'Upload the scanned form (PDF or JPEG)' });
  await checkRecipient(db, consent.recipient);
  const studies = consent.data.scope === 'STUDIES' ? await checkStudies(db, patient, consent.data.studyUids) : [];
  const form = consent.evidence.kind === 'SIGNED' ? await checkForm(db, patient.facilityId, consent.evidence.formId) : null;
  const recorder = await db.user.findUniqueOrThrow({ where: { id: actor.userId }, select: { name: true, email: true } });
  const validFrom = consent.validFrom ?? now;
  // Without a start the period starts now: an end already past would record a consent expired before it began
  if (consent.validUntil && consent.validUntil <= validFrom) throw new AdminError('INVALID_INPUT', 'Some fields need attention.', { validUntil: 'The period must end after it starts' });
  const columns = {
    recipientKind: consent.recipient.kind,
    recipientFacilityId: consent.recipient.kind === 'FACILITY' ? consent.recipient.facilityId : null,
    recipientServiceId: consent.recipient.kind === 'SERVICE' ? consent.recipient.serviceId : null,
    recipientUserId: consent.recipient.kind === 'USER' ? consent.recipient.userId : null,
    purposes: JSON.stringify(consent.purposes),
    dataScope: consent.data.scope,
    studyUids: JSON.stringify(consent.data.scope === 'STUDIES' ? [...new Set(consent.data.studyUids)] : []),
  };

  // The evidence PDF first: its checks (an empty signature, a scan that is not a PDF/JPEG) refuse before anything is stored
  const id = randomUUID();
  const evidence = consent.evidence;
  const signerName = evidence.kind === 'EXTERNAL' ? '' : evidence.signerName;
  const witnessName = evidence.kind === 'EXTERNAL' ? '' : evidence.witnessName;
  // EXTERNAL: the hospital system keeps its evidence; there is no document to make or file
  const document = evidence.kind === 'EXTERNAL' ? null : await prepareConsentDocument({ archive: context.archive }, id, {
    evidence: evidence.kind,
    decision: consent.decision,
    patient: { name: patient.name, patientId: patient.patientId, birthDate: patient.birthDate, sex: patient.sex },
    facility: { name: patient.facility.name, address: patient.facility.address },
    recipientWords: await recipientWords(db, columns),
    purposeWords: purposeWords(consent.purposes),
    dataWords: dataWords(columns, studies),
    validFrom,
    validUntil: consent.validUntil ?? null,
    form: form ? { title: form.title, body: form.body, version: form.version, language: form.language } : null,
    signaturePng: evidence.kind === 'SIGNED' ? Buffer.from(evidence.signature.slice(evidence.signature.indexOf(',') + 1), 'base64') : null,
    signerRole: evidence.kind === 'SIGNED' ? evidence.signerRole : 'PATIENT',
    signerName,
    representativeRelation: evidence.kind === 'SIGNED' ? evidence.representativeRelation : '',
    witnessName,
    note: evidence.kind === 'SIGNED' ? '' : evidence.note,
    recordedBy: recorder,
    recordedAt: now,
    scan: evidence.kind === 'SCANNED' ? scan : null,
  });

  let reassessment: Reassessment = { revoked: [] };
  await db.$transaction(async (tx) => {
    if (consent.decision === 'DENY') {
      // Lock the person's permits first: a share resting on one waits for this deny, then sees it (share-basis.ts)
      await tx.consent.updateMany({ where: { patientRef: { in: await personRecordRefs(tx, patient.id) }, decision: 'PERMIT', status: 'active' }, data: { uses: { increment: 1 } } });
    }
    await tx.consent.create({
      data: {
        id,
        patientRef: patient.id,
        facilityId: patient.facilityId,
        decision: consent.decision,
        ...columns,
        validFrom,
        validUntil: consent.validUntil ?? null,
        evidenceKind: evidence.kind,
        formId: form?.id ?? null,
        signerRole: evidence.kind === 'SIGNED' ? evidence.signerRole : 'PATIENT',
        signerName,
        representativeRelation: evidence.kind === 'SIGNED' ? evidence.representativeRelation : '',
        witnessName,
        note: evidence.kind === 'SIGNED' ? '' : evidence.note,
        documentKey: document?.key ?? null,
        documentSha256: document?.sha256 ?? null,
        recordedById: actor.userId,
        recordedAt: now,
        source,
      },
    });
    if (document) await enqueueConsentArchive(tx, id);
    await recordAudit(tx, {
      actor: actor.email,
      actorUserId: actor.userId,
      action: 'consent.record',
      outcome: 'SUCCESS',
      facilityId: patient.facilityId,
      patientId: patient.patientId,
      sourceIp: actor.ip,
      resource: `consents/${id}`,
      details: {
        consentId: id,
        decision: consent.decision,
        recipient: `${columns.recipientKind}${consent.recipient.kind === 'REGION' ? '' : `:${columns.recipientFacilityId ?? columns.recipientServiceId ?? columns.recipientUserId}`}`,
        purposes: consent.purposes,
        dataScope: consent.data.scope,
        ...(consent.data.scope === 'STUDIES' ? { studies: parseList(columns.studyUids) } : {}),
        validFrom: validFrom.toISOString(),
        validUntil: consent.validUntil?.toISOString() ?? null,
        evidence: evidence.kind,
        source,
      },
    });
    if (consent.decision === 'DENY') reassessment = await reassessConsentGrants(tx, { patientRef: patient.id, revokedById: actor.userId, reason: 'the patient refused sharing' }, now);
  });
  if (document) wakeJobRunners();
  await afterReassessment(context, reassessment, 'The patient refused sharing their images');
  return { id, grantsEnded: reassessment.revoked.length };
}

async function checkRecipient(db: Database, recipient: z.infer<typeof ZRecipient>): Promise<void> {
  if (recipient.kind === 'FACILITY' && !(await db.facility.findFirst({ where: { id: recipient.facilityId, disabledAt: null }, select: { id: true } })))
    throw new AdminError('INVALID_INPUT', 'That facility is not on this node.', { recipient: 'Choose a facility of this node' });
  if (recipient.kind === 'SERVICE' && !(await db.service.findFirst({ where: { id: recipient.serviceId, disabledAt: null }, select: { id: true } })))
    throw new AdminError('INVALID_INPUT', 'That service is not on this node.', { recipient: 'Choose a service of this node' });
  if (recipient.kind === 'USER' && !(await db.user.findFirst({ where: { id: recipient.userId, disabled: false }, select: { id: true } })))
    throw new AdminError('INVALID_INPUT', 'That person has no account on this node.', { recipient: 'Choose a person with an account here' });
}

/** Chosen studies must be the person's (any linked record's): a consent cannot name another patient's study. */
async function checkStudies(db: Database, patient: ConsentPatient, uids: readonly string[]): Promise<{ studyInstanceUid: string; description: string; date: string }[]> {
  const records = await personRecordRefs(db, patient.id);
  const rows = await db.study.findMany({ where: { patientRef: { in: records }, studyInstanceUid: { in: [...uids] } }, select: { studyInstanceUid: true, description: true, studyDate: true } });
  const missing = uids.filter((uid) => !rows.some((row) => row.studyInstanceUid === uid));
  if (missing.length) throw new AdminError('INVALID_INPUT', `Not a study of this patient: ${missing.join(', ')}.`, { data: 'Choose studies of this patient' });
  return rows.map((row) => ({ studyInstanceUid: row.studyInstanceUid, description: row.description, date: row.studyDate ? `${row.studyDate.slice(0, 4)}-${row.studyDate.slice(4, 6)}-${row.studyDate.slice(6, 8)}` : '' }));
}

async function checkForm(db: Database, facilityId: string, formId: string): Promise<{ id: string; title: string; body: string; version: number; language: string }> {
  const form = await db.consentForm.findFirst({ where: { id: formId, facilityId, retiredAt: null }, select: { id: true, title: true, body: true, version: true, language: true } });
  if (!form) throw new AdminError('INVALID_INPUT', 'That consent form is not one of this facility’s current forms.', { formId: 'Choose one of this facility’s consent forms' });
  return form;
}


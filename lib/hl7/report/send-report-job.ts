// hl7.send-report: one signed report version to the facility's RIS as an
// ORU^R01 over MLLP (queued by queue-report-for-ris.ts in the signature's
// transaction). Each attempt builds the message again from the database —
// with the control ID chosen at queueing, so a RIS that already took an
// earlier attempt recognises the repeat by MSH-10 — sends it, and records
// on the outbound Hl7Message row what was sent and answered:
//   AA (or CA, a commit accept)      → SENT, job done
//   AE / AR / CE / CR, no answer, down → FAILED with the reason, and the job
//     throws: the runner retries with backoff (lib/jobs), and after its
//     attempts it is FAILED in the facility's failing jobs, where an admin may Retry.
// Every attempt is audited hl7.send (DICOM 110106 export), success or not.
import type { Config } from '../../config/config';
import { recordAudit } from '../../audit/record-audit';
import { defineJob, type JobContext, type JobDefinition } from '../../jobs/registry';
import { decodeHl7, parseHl7 } from '../hl7-message';
import { sendMllpMessage } from '../mllp-client';
import { buildOru } from './build-oru';
import { loadOruContent } from './oru-input';
import type { SendReportJobPayload } from './queue-report-for-ris';

export type { SendReportJobPayload } from './queue-report-for-ris';

export interface SendReportJobOptions {
  config: Pick<Config, 'hl7' | 'publicUrl'>;
  connectTimeoutMs?: number;
  ackTimeoutMs?: number;
}

const ACCEPTED = new Set(['AA', 'CA']);

export function createSendReportJob(options: SendReportJobOptions): JobDefinition<'hl7.send-report'> {
  return defineJob('hl7.send-report', async (payload, context) => sendReport(options, payload, context));
}

async function sendReport(options: SendReportJobOptions, payload: SendReportJobPayload, context: JobContext): Promise<void> {
  const { db } = context;
  const row = await db.hl7Message.findUnique({ where: { id: payload.messageId }, select: { id: true, status: true, controlId: true, facilityId: true } });
  // Deleted (the facility's log cleared): nothing left to send for
  if (!row || !row.facilityId) return;
  // Sent by an attempt whose process died before the job was marked done
  if (row.status === 'SENT') return;
  const facilityId = row.facilityId;

  const fail = async (error: string, details: { raw?: string; ack?: string; ackCode?: string; ackText?: string; patientId?: string | null; studyUid?: string | null; resultStatus?: string } = {}) => {
    await db.$transaction(async (tx) => {
      await tx.hl7Message.update({
        where: { id: row.id },
        data: { status: 'FAILED', error, attempts: { increment: 1 }, ...(details.raw ? { raw: details.raw } : {}), ack: details.ack ?? '', ackCode: details.ackCode ?? '', ackText: details.ackText ?? '' },
      });
      await recordAudit(tx, {
        actor: 'system',
        action: 'hl7.send',
        outcome: 'FAILURE',
        facilityId,
        patientId: details.patientId ?? null,
        studyUid: details.studyUid ?? null,
        resource: `hl7:${row.id}`,
        details: { messageType: 'ORU^R01', controlId: row.controlId, messageId: row.id, reportId: payload.reportId, resultStatus: details.resultStatus, ackCode: details.ackCode, reason: error.slice(0, 500) },
      });
    });
    throw new Error(`ORU^R01 of report ${payload.reportId} v${payload.version} not delivered: ${error}`);
  };

  const destination = await db.hl7Destination.findUnique({ where: { facilityId } });
  if (!destination) return fail('the facility has no HL7 destination any more');
  if (!destination.enabled) return fail('the facility\'s HL7 destination is turned off');
  const where = `${destination.host}:${destination.port}`;

  let content: Awaited<ReturnType<typeof loadOruContent>>;
  try {
    content = await loadOruContent({ db, archive: context.archive, config: options.config }, payload.reportId, payload.version);
  } catch (error) {
    // The study gone from the archive, the PDF unreadable: the row says why, the job retries
    return fail(`the report could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  const raw = buildOru({ ...content, controlId: row.controlId, now: new Date(), receivingApplication: destination.receivingApplication, receivingFacility: destination.receivingFacility });
  const about = { patientId: content.patient.patientId, studyUid: content.studyInstanceUid, resultStatus: content.resultStatus };
  await db.hl7Message.update({
    where: { id: row.id },
    data: {
      raw,
      sendingApplication: content.sendingApplication,
      sendingFacility: content.sendingFacility,
      remoteAddress: where,
      patientRef: content.patientRef,
      orderRef: content.orderRef,
    },
  });
  if (content.pdfNote) context.logger.warn('HL7: report sent without its PDF', { messageId: row.id, reportId: payload.reportId, reason: content.pdfNote });

  let ackBytes: Buffer;
  try {
    ackBytes = await sendMllpMessage({ host: destination.host, port: destination.port, message: raw, connectTimeoutMs: options.connectTimeoutMs, ackTimeoutMs: options.ackTimeoutMs });
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error), { raw, ...about });
  }
  const ack = decodeHl7(ackBytes).text;
  const answer = readAck(ack);
  if (!answer) return fail(`${where} answered with something that is not an HL7 acknowledgment`, { raw, ack, ...about });
  if (answer.controlId && answer.controlId !== row.controlId) return fail(`${where} acknowledged another message (MSA-2 ${answer.controlId})`, { raw, ack, ackCode: answer.code, ackText: answer.text, ...about });
  if (!ACCEPTED.has(answer.code)) return fail(`the RIS answered ${answer.code || '(no code)'}${answer.text ? `: ${answer.text}` : ''}`, { raw, ack, ackCode: answer.code, ackText: answer.text, ...about });

  await db.$transaction(async (tx) => {
    await tx.hl7Message.update({
      where: { id: row.id },
      data: { status: 'SENT', ack, ackCode: answer.code, ackText: answer.text, error: '', attempts: { increment: 1 }, processedAt: new Date() },
    });
    await recordAudit(tx, {
      actor: 'system',
      action: 'hl7.send',
      outcome: 'SUCCESS',
      facilityId,
      patientId: about.patientId,
      studyUid: about.studyUid,
      resource: `hl7:${row.id}`,
      details: { messageType: 'ORU^R01', controlId: row.controlId, messageId: row.id, reportId: payload.reportId, resultStatus: content.resultStatus, ackCode: answer.code, destination: where },
    });
  });
  context.logger.info('HL7: report sent to the RIS', { messageId: row.id, reportId: payload.reportId, version: payload.version, destination: where, ackCode: answer.code });
}

/** MSA-1 code, MSA-2 the acknowledged control ID, and the reason: ERR-8 (2.5+) or MSA-3 */
function readAck(text: string): { code: string; controlId: string; text: string } | null {
  try {
    const ack = parseHl7(text);
    if (!ack.segment('MSA')) return null;
    const err = ack.segment('ERR');
    const reason = [ack.value(err, 8), ack.value('MSA', 3)].find(Boolean) ?? '';
    return { code: ack.value('MSA', 1).toUpperCase(), controlId: ack.value('MSA', 2), text: reason };
  } catch {
    return null;
  }
}

// One inbound HL7 message, from bytes to acknowledgment:
//   decode → read MSH → store the row as received (durable before any ACK) →
//   whose sender (unknown: AR, audited for the home facility) → a redelivery
//   of a processed control ID gets its first answer again → the handler of
//   its type (lib/hl7/hl7-handlers.ts) → the row's outcome, the audit, the ACK.
// Original mode (MSH-15/16 empty): one ACK, AA or AE/AR. Enhanced mode: a
// commit ACK (CA, once stored) and then the application ACK when MSH-16 asks
// for it (AL always, ER on error, SU on success, NE never).
import { findHomeFacilityId } from '../bootstrap/ensure-defaults';
import { writeAuditEvent } from '../audit/write-audit-event';
import { buildAck, type AckCode } from './build-ack';
import type { Hl7Context, Hl7Outcome } from './hl7-context';
import { Hl7Error } from './hl7-error';
import { handlerFor } from './hl7-handlers';
import { decodeHl7, hl7Actor, parseHl7, type Hl7Header, type ParsedHl7 } from './hl7-message';
import { findHl7Sender } from './hl7-senders';

export interface ReceivedHl7 {
  /** The frames to send back, in order */
  frames: string[];
  messageId: string;
  status: string;
  ackCode: AckCode;
}

export async function receiveHl7Message(context: Hl7Context, bytes: Buffer, remoteAddress: string): Promise<ReceivedHl7> {
  const { text } = decodeHl7(bytes);
  let parsed: ParsedHl7 | undefined;
  let readError: Hl7Error | undefined;
  try {
    parsed = parseHl7(text);
  } catch (error) {
    readError = error instanceof Hl7Error ? error : new Hl7Error(100, 'the message cannot be read');
  }
  const header: Partial<Hl7Header> = parsed?.header ?? peekHeader(text);
  const row = await storeInbound(context, text, header, remoteAddress);
  const sender = parsed ? await findHl7Sender(context.db, context.config.hl7, header.sendingApplication ?? '', header.sendingFacility ?? '') : null;
  if (!parsed || !sender) {
    const error = readError ?? new Hl7Error(204, `sender ${header.sendingApplication || '(none)'}^${header.sendingFacility || '(none)'} is not registered here`, 'MSH-3', true);
    return refuse(context, row.id, header, error);
  }
  return process(context, row.id, parsed, sender.facilityId, row.receivedAt);
}

/**
 * A message over the size limit: its first bytes are stored (marked cut) so that the
 * administrators see it on the HL7 tab, and it is refused with AR.
 */
export async function refuseTooLarge(context: Hl7Context, head: Buffer, bytes: number, remoteAddress: string): Promise<ReceivedHl7> {
  const text = decodeHl7(head).text;
  const header = peekHeader(text);
  const row = await storeInbound(context, `${text}\n… (cut: the message had ${bytes} bytes)`, header, remoteAddress);
  return refuse(context, row.id, header, new Hl7Error(207, `the message is ${bytes} bytes, over the limit of this archive`, 'MSH', true));
}

/** Runs a stored message again (an administrator's re-process): the sender is looked up anew. */
export async function processStoredHl7Message(context: Hl7Context, messageId: string): Promise<ReceivedHl7> {
  const row = await context.db.hl7Message.findUniqueOrThrow({ where: { id: messageId }, select: { raw: true, receivedAt: true } });
  let parsed: ParsedHl7;
  try {
    parsed = parseHl7(row.raw);
  } catch (error) {
    return refuse(context, messageId, peekHeader(row.raw), error instanceof Hl7Error ? error : new Hl7Error(100, 'the message cannot be read'));
  }
  const sender = await findHl7Sender(context.db, context.config.hl7, parsed.header.sendingApplication, parsed.header.sendingFacility);
  if (!sender) return refuse(context, messageId, parsed.header, new Hl7Error(204, `sender ${parsed.header.sendingApplication}^${parsed.header.sendingFacility} is not registered here`, 'MSH-3', true));
  return process(context, messageId, parsed, sender.facilityId, new Date(), { again: true });
}

async function process(context: Hl7Context, messageId: string, parsed: ParsedHl7, facilityId: string, at: Date, options: { again?: boolean } = {}): Promise<ReceivedHl7> {
  const { header } = parsed;
  await context.db.hl7Message.update({ where: { id: messageId }, data: { facilityId } });
  if (!options.again && header.controlId) {
    const earlier = await context.db.hl7Message.findFirst({
      where: {
        id: { not: messageId },
        direction: 'IN',
        facilityId,
        sendingApplication: header.sendingApplication,
        sendingFacility: header.sendingFacility,
        controlId: header.controlId,
        status: { in: ['PROCESSED', 'IGNORED'] },
      },
      orderBy: { receivedAt: 'asc' },
      select: { id: true, ack: true, ackCode: true },
    });
    if (earlier) {
      // The sender missed our ACK and sent it again: the same answer, no second change
      await context.db.hl7Message.update({ where: { id: messageId }, data: { status: 'DUPLICATE', ack: earlier.ack, ackCode: earlier.ackCode, ackText: `repeat of ${earlier.id}`, processedAt: new Date() } });
      return { frames: commitFrames(context, header, 'CA').concat(earlier.ack ? [earlier.ack] : []), messageId, status: 'DUPLICATE', ackCode: earlier.ackCode as AckCode };
    }
  }
  let outcome: Hl7Outcome | undefined;
  let failure: Hl7Error | undefined;
  try {
    const handler = handlerFor(header.messageType, header.triggerEvent);
    outcome = await handler(context, parsed, { facilityId, messageId, at });
  } catch (error) {
    if (error instanceof Hl7Error) failure = error;
    else {
      context.logger.error('HL7: a message could not be processed', { messageId, type: parsed.typeLabel, error: error instanceof Error ? error.stack : String(error) });
      failure = new Hl7Error(207, 'the message could not be processed here; it is stored and an administrator can process it again');
    }
  }
  const code: AckCode = failure ? (failure.reject ? 'AR' : 'AE') : 'AA';
  const ack = buildAck({ header, code, error: failure, text: outcome?.text, ourApplication: context.config.hl7.application });
  const status = failure ? 'ERROR' : outcome?.ignored ? 'IGNORED' : 'PROCESSED';
  await context.db.hl7Message.update({
    where: { id: messageId },
    data: {
      status,
      ackCode: code,
      ackText: failure?.message ?? outcome?.text ?? '',
      ack,
      error: failure ? `${failure.code} ${failure.location} ${failure.message}`.trim() : '',
      patientRef: outcome?.patientRef,
      orderRef: outcome?.orderRef,
      attempts: { increment: 1 },
      processedAt: new Date(),
    },
  });
  await writeAuditEvent(
    context.db,
    {
      actor: hl7Actor(header),
      action: 'hl7.receive',
      outcome: failure ? 'FAILURE' : 'SUCCESS',
      facilityId,
      patientId: await patientIdOf(context, outcome?.patientRef),
      resource: `hl7:${messageId}`,
      details: { messageType: parsed.typeLabel, controlId: header.controlId, messageId, ackCode: code, orders: outcome?.orders, ...(failure ? { reason: failure.message } : {}) },
    },
    context.logger,
  );
  return { frames: [...commitFrames(context, header, 'CA'), ...applicationFrames(header, code, ack)], messageId, status, ackCode: code };
}

async function refuse(context: Hl7Context, messageId: string, header: Partial<Hl7Header>, error: Hl7Error): Promise<ReceivedHl7> {
  const code: AckCode = error.reject ? 'AR' : 'AE';
  const ack = buildAck({ header, code, error, ourApplication: context.config.hl7.application });
  const status = error.reject ? 'REJECTED' : 'ERROR';
  await context.db.hl7Message.update({
    where: { id: messageId },
    data: { status, ackCode: code, ackText: error.message, ack, error: `${error.code} ${error.location} ${error.message}`.trim(), attempts: { increment: 1 }, processedAt: new Date() },
  });
  context.logger.warn('HL7 message refused', { messageId, sender: `${header.sendingApplication ?? ''}^${header.sendingFacility ?? ''}`, reason: error.message });
  // Nobody owns an unknown sender's message: the home facility's administrators see the knock
  const home = await findHomeFacilityId(context.db);
  await writeAuditEvent(
    context.db,
    {
      actor: hl7Actor(header),
      action: 'hl7.refuse',
      outcome: 'DENIED',
      facilityId: home,
      resource: `hl7:${messageId}`,
      details: { messageType: [header.messageType, header.triggerEvent].filter(Boolean).join('^'), controlId: header.controlId, sendingApplication: header.sendingApplication, sendingFacility: header.sendingFacility, messageId, ackCode: code, reason: error.message },
    },
    context.logger,
  );
  // A message we could not read gets an answer in original mode: we cannot know what it asked for
  const enhanced = !!(header.acceptAckType || header.applicationAckType);
  return { frames: enhanced ? [buildAck({ header, code: code === 'AR' ? 'CR' : 'CE', error, ourApplication: context.config.hl7.application })] : [ack], messageId, status, ackCode: code };
}

/** Enhanced mode's commit acknowledgment: the message is stored (MSH-15 AL, or SU/ER: stored is success). */
function commitFrames(context: Hl7Context, header: Hl7Header, code: 'CA'): string[] {
  const mode = header.acceptAckType;
  if (!header.acceptAckType && !header.applicationAckType) return [];
  if (mode === 'NE' || mode === 'ER') return [];
  return [buildAck({ header, code, ourApplication: context.config.hl7.application })];
}

function applicationFrames(header: Hl7Header, code: AckCode, ack: string): string[] {
  if (!header.acceptAckType && !header.applicationAckType) return [ack];
  const mode = header.applicationAckType || 'AL';
  if (mode === 'NE') return [];
  if (mode === 'ER' && code === 'AA') return [];
  if (mode === 'SU' && code !== 'AA') return [];
  return [ack];
}

/** The message as received, committed before anything else happens to it. */
function storeInbound(context: Hl7Context, raw: string, header: Partial<Hl7Header>, remoteAddress: string) {
  return context.db.hl7Message.create({
    data: {
      direction: 'IN',
      raw,
      remoteAddress,
      sendingApplication: header.sendingApplication ?? '',
      sendingFacility: header.sendingFacility ?? '',
      messageType: [header.messageType, header.triggerEvent].filter(Boolean).join('^'),
      controlId: header.controlId ?? '',
      version: header.version ?? '',
    },
    select: { id: true, receivedAt: true },
  });
}

/** What an unreadable message's MSH still tells (for the row and the refusal). */
export function peekHeader(text: string): Partial<Hl7Header> {
  const msh = text.replace(/^[\s\0]+/, '').split(/\r\n|\r|\n/)[0] ?? '';
  if (!msh.startsWith('MSH') || msh.length < 4) return {};
  const fields = msh.split(msh[3]);
  const component = (value = '') => value.split(fields[1]?.[0] ?? '^')[0]?.trim() ?? '';
  return {
    sendingApplication: component(fields[2]),
    sendingFacility: component(fields[3]),
    receivingApplication: component(fields[4]),
    receivingFacility: component(fields[5]),
    messageType: component(fields[8]).toUpperCase(),
    triggerEvent: (fields[8] ?? '').split(fields[1]?.[0] ?? '^')[1]?.trim().toUpperCase() ?? '',
    controlId: (fields[9] ?? '').trim(),
    processingId: component(fields[10]),
    version: component(fields[11]),
  };
}

async function patientIdOf(context: Hl7Context, patientRef: string | undefined): Promise<string | null> {
  if (!patientRef) return null;
  const patient = await context.db.patient.findUnique({ where: { id: patientRef }, select: { patientId: true } });
  return patient?.patientId ?? null;
}

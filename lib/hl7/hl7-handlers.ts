// Which operation handles which message (MSH-9). A type we do not take is an
// AE with code 200; an event of a type we take but do not use (ADT^A03, a
// discharge) is acknowledged AA and recorded as IGNORED, so that an interface
// engine feeding us the whole ADT stream does not queue it for ever.
import type { ParsedHl7 } from './hl7-message';
import type { Hl7Context, Hl7Outcome, Hl7Source } from './hl7-context';
import { Hl7Error } from './hl7-error';
import { registerPatient } from './adt/register-patient';
import { mergePatient } from './adt/merge-patient';
import { applyOrderMessage } from './orders/apply-order-message';

export type Hl7Handler = (context: Hl7Context, message: ParsedHl7, source: Hl7Source) => Promise<Hl7Outcome>;

const ADT_EVENTS: Record<string, Hl7Handler> = {
  A01: registerPatient, // admit
  A04: registerPatient, // register an outpatient
  A05: registerPatient, // pre-admit
  A08: registerPatient, // update patient information
  A28: registerPatient, // add person information
  A31: registerPatient, // update person information
  A40: mergePatient, // merge patient (patient identifier list)
  A34: mergePatient, // merge patient information, patient ID only (2.3.1)
};

export function handlerFor(messageType: string, event: string): Hl7Handler {
  if (messageType === 'ADT') {
    const handler = ADT_EVENTS[event];
    if (handler) return handler;
    return async (_context, message) => ({ ignored: true, text: `${message.typeLabel} is not used by this archive` });
  }
  if ((messageType === 'ORM' && event === 'O01') || (messageType === 'OMI' && event === 'O23')) return applyOrderMessage;
  if (messageType === 'ORM' || messageType === 'OMI') throw new Hl7Error(201, `event ${event || '(none)'} of ${messageType} is not supported (ORM^O01, OMI^O23)`, 'MSH-9');
  throw new Hl7Error(200, `message type ${messageType || '(none)'} is not supported here (ADT, ORM^O01, OMI^O23)`, 'MSH-9');
}

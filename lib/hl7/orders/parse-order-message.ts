// ORM^O01 (v2.3.1, IHE RAD-2/RAD-4) and OMI^O23 (v2.5.1) → the scheduled
// procedure steps they order, changes or cancel. Each ORC starts an order;
// its OBR names the procedure; OMI's IPC segments (one per step) carry the
// accession number, requested procedure ID, Study Instance UID, step ID,
// modality and station; ORM carries them in OBR-18/19/20, OBR-24 and ZDS-1.
import type { Hl7Segment } from '@medplum/core';
import { uidForIdentifier } from '../../../pacs-core/dicom/sr/uids';
import { Hl7Error } from '../hl7-error';
import { splitHl7DateTime, type ParsedHl7 } from '../hl7-message';

export type OrderAction = 'NEW' | 'CHANGE' | 'CANCEL' | 'STATUS';

export interface OrderedStep {
  action: OrderAction;
  /** ORC-1 as sent */
  orderControl: string;
  /** ORC-5 for SC: IP, CM, CA, DC, HD */
  orderStatus: string;
  placerOrderNumber: string;
  fillerOrderNumber: string;
  accessionNumber: string;
  requestedProcedureId: string;
  requestedProcedureCode: string;
  requestedProcedureScheme: string;
  requestedProcedureText: string;
  studyInstanceUid: string;
  /** '' in a cancel or status change without OBR: every step of the order */
  stepId: string;
  stepDescription: string;
  modality: string;
  stationAet: string;
  stationName: string;
  scheduledDate: string;
  scheduledTime: string;
  priority: 'STAT' | 'HIGH' | 'ROUTINE';
  referringPhysician: string;
  requestingPhysician: string;
  reasonForStudy: string;
  bodyPart: string;
}

const ACTIONS: Record<string, OrderAction> = { NW: 'NEW', XO: 'CHANGE', CA: 'CANCEL', DC: 'CANCEL', OC: 'CANCEL', OD: 'CANCEL', CR: 'CANCEL', SC: 'STATUS' };

export function parseOrderMessage(message: ParsedHl7): OrderedStep[] {
  const steps: OrderedStep[] = [];
  const segments = message.message.segments;
  let index = segments.findIndex((segment) => segment.name === 'ORC');
  if (index === -1) throw new Hl7Error(100, 'the order has no ORC segment', 'ORC');
  while (index !== -1 && index < segments.length) {
    const orc = segments[index];
    const next = segments.findIndex((segment, at) => at > index && segment.name === 'ORC');
    const group = segments.slice(index + 1, next === -1 ? undefined : next);
    steps.push(...stepsOfGroup(message, orc, group));
    index = next;
  }
  return steps;
}

function stepsOfGroup(message: ParsedHl7, orc: Hl7Segment, group: Hl7Segment[]): OrderedStep[] {
  const first = (name: string) => group.find((segment) => segment.name === name);
  const obr = first('OBR');
  const tq1 = first('TQ1');
  const zds = first('ZDS');
  const ipcs = group.filter((segment) => segment.name === 'IPC');
  const v = (segment: Hl7Segment | undefined, field: number, component = 1) => message.value(segment, field, { component });
  const control = v(orc, 1).toUpperCase();
  const action = ACTIONS[control];
  if (!action) throw new Hl7Error(103, `ORC-1: order control "${control.slice(0, 4)}" is not one of NW, XO, CA, DC, OC, SC`, 'ORC-1');
  if (!obr && action !== 'CANCEL') throw new Hl7Error(100, 'an order needs an OBR segment after its ORC', 'OBR');
  const placerOrderNumber = v(orc, 2) || v(obr, 2);
  const fillerOrderNumber = v(orc, 3) || v(obr, 3);
  if (!placerOrderNumber && !fillerOrderNumber) throw new Hl7Error(101, 'ORC-2/ORC-3: the order has neither a placer nor a filler order number', 'ORC-2');
  // Quantity/timing: TQ1 (2.5), ORC-7 / OBR-27 (2.3.1); else OBR-36, OBR-6, OBR-7
  const start = v(tq1, 7) || v(orc, 7, 4) || v(obr, 27, 4) || v(obr, 36) || v(obr, 6) || v(obr, 7) || message.value('MSH', 7);
  const { date, time } = splitHl7DateTime(start);
  const priority = priorityOf(v(tq1, 9) || v(orc, 7, 6) || v(obr, 27, 6) || v(obr, 5));
  const referring = personName(message, message.segment('PV1'), 8) || personName(message, orc, 12) || personName(message, obr, 16);
  const requesting = personName(message, obr, 16) || personName(message, orc, 12);
  const base = {
    action,
    orderControl: control,
    orderStatus: v(orc, 5).toUpperCase(),
    placerOrderNumber: limit(placerOrderNumber, 64, 'ORC-2'),
    fillerOrderNumber: limit(fillerOrderNumber, 64, 'ORC-3'),
    requestedProcedureCode: v(obr, 4, 1) || v(obr, 44, 1),
    requestedProcedureText: limit(v(obr, 4, 2) || v(obr, 44, 2), 64, 'OBR-4'),
    requestedProcedureScheme: v(obr, 4, 3) || v(obr, 44, 3),
    scheduledDate: date,
    scheduledTime: time,
    priority,
    referringPhysician: referring,
    requestingPhysician: requesting,
    reasonForStudy: limit(v(obr, 31, 2) || v(obr, 31, 1) || v(obr, 13), 64, 'OBR-31'),
    bodyPart: v(obr, 15, 4) || v(obr, 15, 1),
  };
  const accessionFallback = v(obr, 18) || fillerOrderNumber || placerOrderNumber;
  const studyUidOf = (candidate: string, stepKey: string) => {
    const uid = candidate.trim();
    if (uid) {
      if (!/^[0-9]+(\.[0-9]+)*$/.test(uid) || uid.length > 64) throw new Hl7Error(102, `"${uid.slice(0, 70)}" is not a Study Instance UID`, ipcs.length ? 'IPC-3' : 'ZDS-1');
      return uid;
    }
    // The same order always gets the same UID (a resend, a change), so the images and the order meet
    return uidForIdentifier(`telepacs-order:${placerOrderNumber}|${fillerOrderNumber}|${stepKey}`);
  };
  const modalityOf = (value: string) => limit(value.toUpperCase(), 16, ipcs.length ? 'IPC-5' : 'OBR-24');
  if (ipcs.length) {
    return ipcs.map((ipc, at) => {
      const stepId = v(ipc, 4) || String(at + 1);
      return {
        ...base,
        accessionNumber: limit(v(ipc, 1) || accessionFallback, 16, 'IPC-1'),
        requestedProcedureId: limit(v(ipc, 2) || v(obr, 19), 16, 'IPC-2'),
        studyInstanceUid: studyUidOf(v(ipc, 3), stepId),
        stepId: limit(stepId, 16, 'IPC-4'),
        stepDescription: limit(v(ipc, 6, 2) || base.requestedProcedureText, 64, 'IPC-6'),
        modality: modalityOf(v(ipc, 5) || v(obr, 24)),
        stationAet: limit(v(ipc, 9), 16, 'IPC-9'),
        stationName: limit(v(ipc, 7), 16, 'IPC-7'),
      };
    });
  }
  // A cancel or status change without OBR is about every step of the order ('')
  const stepId = obr ? v(obr, 20) || v(obr, 19) || '1' : '';
  return [
    {
      ...base,
      accessionNumber: limit(accessionFallback, 16, 'OBR-18'),
      requestedProcedureId: limit(v(obr, 19) || accessionFallback, 16, 'OBR-19'),
      studyInstanceUid: studyUidOf(v(zds, 1), stepId),
      stepId: limit(stepId, 16, 'OBR-20'),
      stepDescription: base.requestedProcedureText,
      modality: modalityOf(v(obr, 24)),
      stationAet: limit(v(obr, 21), 16, 'OBR-21'),
      stationName: '',
    },
  ];
}

/** HL7 priority (S stat, A asap, T timing critical, R routine) → DICOM Requested Procedure Priority. */
function priorityOf(value: string): OrderedStep['priority'] {
  const code = value.trim().toUpperCase();
  if (code === 'S') return 'STAT';
  if (code === 'A' || code === 'T') return 'HIGH';
  return 'ROUTINE';
}

/** XCN id^family^given^middle^suffix^prefix → DICOM PN family^given^middle^prefix^suffix. */
function personName(message: ParsedHl7, segment: Hl7Segment | undefined, field: number): string {
  if (!segment) return '';
  const part = (component: number) => message.value(segment, field, { component, subcomponent: 1 }).replace(/[\\^=]/g, ' ').trim();
  return [part(2), part(3), part(4), part(6), part(5)].join('^').replace(/\^+$/, '');
}

/** A DICOM value length (SH 16, LO 64): longer is an error the sender must see, never a silent cut. */
function limit(value: string, max: number, location: string): string {
  if (value.length > max) throw new Hl7Error(102, `${location}: "${value.slice(0, 20)}…" is longer than ${max} characters`, location);
  if (value.includes('\\')) throw new Hl7Error(102, `${location}: a backslash cannot be stored in DICOM`, location);
  return value;
}

// One worklist answer (PS3.4 K.6.1.2.2): exactly the keys the modality asked
// for, valued from the order and its patient, in DICOM JSON. Text is UTF-8
// (the answer says ISO_IR 192): the HIS's names reach the modality as the
// HIS spelled them.
import type { DicomJsonDataset, DicomJsonElement } from '../dicom/dicom-json';
import {
  REQUESTED_PROCEDURE_CODE_SEQUENCE,
  SCHEDULED_STEP_SEQUENCE,
  worklistAttribute,
  type WorklistAttribute,
  type WorklistRow,
} from './worklist-attributes';
import type { WorklistRequest } from './find-worklist';

function element(attribute: WorklistAttribute, row: WorklistRow): DicomJsonElement {
  const value = attribute.value(row);
  if (!value) return { vr: attribute.vr };
  return (attribute.vr === 'PN' ? { vr: 'PN', Value: [{ Alphabetic: value }] } : { vr: attribute.vr, Value: [value] });
}

function fill(out: DicomJsonDataset, keys: Iterable<string>, inStep: boolean, row: WorklistRow): void {
  for (const keyword of keys) {
    const attribute = worklistAttribute(keyword, inStep);
    if (attribute) out[attribute.tag] = element(attribute, row);
  }
}

/** The code of the requested procedure (the order's OBR-4 / OBR-44), or an empty sequence. */
function procedureCode(row: WorklistRow): DicomJsonElement {
  if (!row.requestedProcedureCode) return { vr: 'SQ' };
  const item: DicomJsonDataset = {
    '00080100': { vr: 'SH', Value: [row.requestedProcedureCode] },
    '00080102': { vr: 'SH', Value: [row.requestedProcedureScheme || 'L'] },
    '00080104': { vr: 'LO', Value: [row.requestedProcedureText || row.requestedProcedureCode] },
  };
  return { vr: 'SQ', Value: [item] };
}

export function worklistItem(row: WorklistRow, request: WorklistRequest): DicomJsonDataset {
  const out: DicomJsonDataset = { '00080005': { vr: 'CS', Value: ['ISO_IR 192'] } };
  fill(out, request.keys.keys(), false, row);
  if (request.keys.has(REQUESTED_PROCEDURE_CODE_SEQUENCE.keyword)) out[REQUESTED_PROCEDURE_CODE_SEQUENCE.tag] = procedureCode(row);
  for (const { tag, vr, inStep } of request.unsupported) if (!inStep) out[tag] = { vr };
  if (request.step) {
    const step: DicomJsonDataset = {};
    fill(step, request.step.keys(), true, row);
    for (const { tag, vr, inStep } of request.unsupported) if (inStep) step[tag] = { vr };
    out[SCHEDULED_STEP_SEQUENCE.tag] = { vr: 'SQ', Value: [step] };
  }
  return out;
}

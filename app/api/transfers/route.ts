// POST /api/transfers — an emergency or referring clinician sends a transfer notice, acting for their facility
//   {clientKey, serviceId, condition: STROKE|TRAUMA|STEMI|OTHER, etaMinutes | etaAt,
//    patientRef? | studyInstanceUids?: [...] | unidentified?: true, suspectedDiagnosis?, findings?,
//    vitals?: {gcs?, systolic?, diastolic?, heartRate?, spo2?, temperature?, takenAt?}, onsetAt?, onsetIsLastKnownWell?,
//    transportMode?: GROUND|HELICOPTER|FIXED_WING|OTHER, callbackPhone?, confirmVitals?}
//   → 201 {id, created: true, path}; the same clientKey again → 200 {id, created: false, path}.
//   400 INVALID_INPUT (fields), 409 CONFIRMATION_REQUIRED (vitals outside the physiological range: send again
//   with confirmVitals: true), 403 FORBIDDEN (no EMERGENCY/REFERRING role), 404 (a study or patient not of the facility).
// GET /api/transfers?box=board&serviceId= → the emergency board {services, serviceId, open, closed};
//     box=sent → {open, closed}: the caller's sending team's notices; box=alarms → {rows}: unacknowledged notices ringing for the caller.
import { sendTransfer } from '../../../lib/transfers/send-transfer';
import { ringingTransfers, sentTransfers, transferBoard, unknownBox } from '../../../lib/transfers/list-transfers';
import { transferPath } from '../../../lib/transfers/transfer-types';
import { getRuntime } from '../../../lib/runtime';
import { transferAnswer, withTransferCaller } from './_lib/transfer-route';

export const dynamic = 'force-dynamic';

export function POST(request: Request): Promise<Response> {
  return withTransferCaller(request, 'send transfer notice', null, async (actor, body) => {
    const sent = await sendTransfer(getRuntime(), actor, await body());
    return transferAnswer({ ...sent, path: transferPath(sent.id) }, sent.created ? 201 : 200);
  });
}

export function GET(request: Request): Promise<Response> {
  return withTransferCaller(request, 'list transfer notices', null, async (actor) => {
    const params = new URL(request.url).searchParams;
    const box = params.get('box') ?? 'board';
    if (box === 'board') return transferAnswer(await transferBoard(getRuntime(), actor, params.get('serviceId') ?? undefined));
    if (box === 'sent') return transferAnswer(await sentTransfers(getRuntime(), actor));
    if (box === 'alarms') return transferAnswer({ rows: await ringingTransfers(getRuntime(), actor) });
    throw unknownBox();
  });
}

// Images keep arriving after Send (issue 17): the CT is still being sent by the modality, a
// repeat scan is made, or the patient was unidentified and the CT technologist typed the
// notice's temporary ID as the Patient ID. Listening to the archive's instance.stored events
// (batched per study copy, like the realtime news):
// - a study of the sending facility whose Patient ID is the temporary ID of an open notice
//   of an unidentified patient joins that notice (on the sender's behalf: the grants, and
//   the basis if it is the patient's first images), and the receiving team is told;
// - a study already on an open notice tells its parties (the board's image count and
//   "arriving" state follow live).
// A failure is logged: the images are stored whatever happens here.
import type { Runtime } from '../runtime';
import { wakeJobRunners } from '../jobs/job-signals';
import { publishTransferChanged } from './transfer-events';
import { addTransferStudies } from './transfer-studies';
import { recordTransferAudit } from './transfer-audit';
import { OPEN_TRANSFER_STATUSES } from './transfer-words';

const BATCH_MS = 1_000;

type FollowContext = Pick<Runtime, 'db' | 'archive' | 'logger'> & Partial<Pick<Runtime, 'io'>>;

export function followArrivingImages(context: FollowContext): () => void {
  const pending = new Map<string, { facilityId: string; studyInstanceUid: string; patientId: string }>();
  let timer: NodeJS.Timeout | undefined;
  const onStored = (result: { facilityId: string; studyInstanceUid: string; patientId: string }) => {
    pending.set(`${result.facilityId}\u0000${result.studyInstanceUid}`, { facilityId: result.facilityId, studyInstanceUid: result.studyInstanceUid, patientId: result.patientId });
    timer ??= setTimeout(() => {
      timer = undefined;
      const batch = [...pending.values()];
      pending.clear();
      void (async () => {
        for (const study of batch) await followStudy(context, study).catch((error: unknown) => context.logger.warn('transfer: arriving images not followed', { studyInstanceUid: study.studyInstanceUid, error: String(error) }));
      })();
    }, BATCH_MS);
  };
  context.archive.events.on('instance.stored', onStored);
  return () => {
    context.archive.events.off('instance.stored', onStored);
    if (timer) clearTimeout(timer);
  };
}

/** One study copy that received images: attach it where it is an unidentified patient's, tell the notices that carry it. */
export async function followStudy(context: FollowContext, study: { facilityId: string; studyInstanceUid: string; patientId: string }, now = new Date()): Promise<void> {
  const { db } = context;
  const notices = await db.transferNotice.findMany({
    where: {
      sendingFacilityId: study.facilityId,
      status: { in: [...OPEN_TRANSFER_STATUSES] },
      OR: [{ unidentified: true, patientId: study.patientId }, { studies: { some: { studyInstanceUid: study.studyInstanceUid, studyFacilityId: study.facilityId } } }],
    },
    include: { studies: { select: { studyInstanceUid: true } } },
  });
  let attached = false;
  for (const notice of notices) {
    if (!notice.studies.some((row) => row.studyInstanceUid === study.studyInstanceUid)) {
      const copy = await db.study.findUnique({ where: { facilityId_studyInstanceUid: { facilityId: study.facilityId, studyInstanceUid: study.studyInstanceUid } }, select: { id: true, facilityId: true, studyInstanceUid: true } });
      const sender = await db.user.findUnique({ where: { id: notice.senderId }, select: { email: true } });
      if (!copy || !sender) continue;
      const actor = { userId: notice.senderId, email: sender.email, ip: '' };
      const done = await db.$transaction(async (tx) => {
        // Once: a second batch of the same study finds it attached
        if (await tx.transferStudy.findUnique({ where: { noticeId_studyInstanceUid: { noticeId: notice.id, studyInstanceUid: study.studyInstanceUid } } })) return false;
        await addTransferStudies(tx, actor, notice, [copy], now, { automatic: true });
        await recordTransferAudit(tx, null, { id: notice.id, sendingFacilityId: notice.sendingFacilityId, targetFacilityId: notice.targetFacilityId, patientId: study.patientId, studyInstanceUid: study.studyInstanceUid }, 'transfer.update', { studies: [study.studyInstanceUid] });
        return true;
      });
      attached ||= done;
      if (done) context.logger.info('transfer: arriving study attached to an unidentified patient’s notice', { noticeId: notice.id, studyInstanceUid: study.studyInstanceUid });
    }
    await publishTransferChanged(context, notice, 'images');
  }
  if (attached) wakeJobRunners();
}

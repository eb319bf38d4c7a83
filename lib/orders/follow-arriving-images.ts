// Images arriving for an order (issue 18, IHE SWF): the archive's
// instance.stored events, gathered per study copy for a second, then each
// study checked once against its facility's orders (link-study-to-orders.ts):
// two small queries per study and second while it arrives, never one per
// image. The first batch links the order (IMAGES_RECEIVED), later ones bring
// its image count up to date.
// A failure is logged: the images are stored whatever happens here.
import type { Runtime } from '../runtime';
import { linkStudyToOrders, type ArrivedStudy } from './link-study-to-orders';

const BATCH_MS = 1_000;

type FollowContext = Pick<Runtime, 'db' | 'archive' | 'logger'>;

export function followArrivingOrderImages(context: FollowContext): () => void {
  const pending = new Map<string, ArrivedStudy>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const onStored = (result: { facilityId: string; studyInstanceUid: string }) => {
    pending.set(`${result.facilityId}\u0000${result.studyInstanceUid}`, { facilityId: result.facilityId, studyInstanceUid: result.studyInstanceUid });
    timer ??= setTimeout(() => {
      timer = undefined;
      const batch = [...pending.values()];
      pending.clear();
      // One batch at a time: a slow database does not pile batches up
      running = running.then(async () => {
        for (const study of batch) {
          await linkStudyToOrders(context.db, context.logger, study).then(
            (outcome) => {
              if (outcome.linked.length) context.logger.info('orders: images received', { studyInstanceUid: study.studyInstanceUid, orders: outcome.linked });
            },
            (error: unknown) => context.logger.warn('orders: arriving images not linked', { studyInstanceUid: study.studyInstanceUid, error: String(error) }),
          );
        }
      });
    }, BATCH_MS);
  };
  context.archive.events.on('instance.stored', onStored);
  return () => {
    context.archive.events.off('instance.stored', onStored);
    if (timer) clearTimeout(timer);
  };
}

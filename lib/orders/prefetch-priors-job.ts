// A new order's priors made ready (issue 18): the record's relevant earlier
// studies (choose-priors.ts) get their series metadata built now, for the base
// URLs the viewers use, so that opening them beside the new images does not
// wait for a 500-image build. On one node that is what a prior can lack: its
// files are on the node's store, and its metadata was built after ingest, but
// an HIS update or a merge since (or a cleared cache) made that out of date.
// Priors held by another facility are shared only through consent and grants
// (never by a prefetch); priors on a paired node or a slower tier come with the
// federation and scale-out issues, and will be fetched here.
import { defineJob } from '../jobs/registry';
import { choosePriors } from './choose-priors';

export interface PrefetchPriorsPayload {
  orderId: string;
}

export const createPrefetchPriorsJob = (options: { warmSeries?: (seriesIds: readonly string[]) => Promise<void> }) =>
  defineJob('order.prefetch-priors', async (payload, { db, logger }) => {
    const order = await db.imagingOrder.findUnique({
      where: { id: payload.orderId },
      select: { id: true, status: true, patientRef: true, studyInstanceUid: true, modality: true, bodyPart: true, requestedProcedureText: true },
    });
    if (!order || order.status === 'CANCELLED') return;
    const priors = await choosePriors(db, order);
    const series = await db.series.findMany({ where: { studyRef: { in: priors.map((prior) => prior.id) } }, select: { id: true } });
    await options.warmSeries?.(series.map((row) => row.id));
    await db.imagingOrder.update({ where: { id: order.id }, data: { prefetchedStudies: priors.length } });
    logger.info('priors made ready for an order', { orderId: order.id, priors: priors.length, series: series.length });
  });

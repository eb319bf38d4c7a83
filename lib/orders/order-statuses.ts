// An imaging order's (scheduled procedure step's) statuses, ImagingOrder.status.
import { WORKLIST_STATUSES } from '../../pacs-core/worklist/find-worklist';

export const ORDER_STATUSES = ['SCHEDULED', 'IN_PROGRESS', 'IMAGES_RECEIVED', 'COMPLETED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * Still to be performed: what the Modality Worklist offers (pacs-core/worklist)
 * and what arriving images may link to. One list, so a step a modality is
 * shown is a step its images find.
 */
export const ACTIVE_ORDER_STATUSES: readonly OrderStatus[] = WORKLIST_STATUSES;

// PLACEHOLDER until the consent-document part lands (helper branch i16-docs replaces this file).
import type { JobTransaction } from '../../jobs/enqueue-job';

export async function enqueueConsentArchive(_tx: JobTransaction, _consentId: string): Promise<void> {}

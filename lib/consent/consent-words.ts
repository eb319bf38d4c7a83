// A consent's terms in words, for its document, the patient page and refusals.
import type { Database } from '../../prisma/database';
import { CONSENT_PURPOSE_WORDS, parseList, type ConsentPurpose } from './consent-types';

type RecipientColumns = { recipientKind: string; recipientFacilityId: string | null; recipientServiceId: string | null; recipientUserId: string | null };

export async function recipientWords(db: Pick<Database, 'facility' | 'service' | 'user'>, consent: RecipientColumns): Promise<string> {
  switch (consent.recipientKind) {
    case 'REGION':
      return 'any facility of the region';
    case 'FACILITY':
      return (await db.facility.findUnique({ where: { id: consent.recipientFacilityId ?? '' }, select: { name: true } }))?.name ?? 'a facility no longer on this node';
    case 'SERVICE': {
      const service = await db.service.findUnique({ where: { id: consent.recipientServiceId ?? '' }, select: { name: true, facility: { select: { name: true } } } });
      return service ? `${service.name}, ${service.facility.name}` : 'a service no longer on this node';
    }
    default: {
      const user = await db.user.findUnique({ where: { id: consent.recipientUserId ?? '' }, select: { name: true, email: true } });
      return user ? `${user.name} (${user.email})` : 'a person no longer on this node';
    }
  }
}

export function purposeWords(purposes: readonly string[]): string {
  return purposes.map((purpose) => CONSENT_PURPOSE_WORDS[purpose as ConsentPurpose] ?? purpose.toLowerCase()).join(', ');
}

export function dataWords(consent: { dataScope: string; studyUids: string }, studies: readonly { studyInstanceUid: string; description: string; date: string }[] = []): string {
  if (consent.dataScope === 'ALL') return 'all imaging';
  const uids = parseList(consent.studyUids);
  return uids
    .map((uid) => {
      const study = studies.find((row) => row.studyInstanceUid === uid);
      return study ? [study.description || 'Study', study.date].filter(Boolean).join(' ') : uid;
    })
    .join('; ');
}

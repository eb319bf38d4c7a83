// Loads the patient's consents and share history for the patient page and
// shows the panel; nothing for a reader who is not a member of the record's
// facility (someone reading a linked record or a shared study: the consents
// are the holding facility's to show).
import { headers } from 'next/headers';
import { clientAddressFromNormalizedHeaders } from '../../../../lib/auth';
import { getPatientConsents } from '../../../../lib/consent/patient-consents';
import { DomainError } from '../../../../lib/errors';
import { getRuntime } from '../../../../lib/runtime';
import { ConsentPanel } from './consent-panel';

export async function ConsentSection({ patientRef, user }: { patientRef: string; user: { id: string; email: string } }) {
  const client = clientAddressFromNormalizedHeaders(await headers());
  const data = await getPatientConsents(getRuntime(), { userId: user.id, email: user.email, ip: client.ip }, patientRef).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === 'NOT_FOUND') return null;
    throw error;
  });
  return data ? <ConsentPanel patientRef={data.patientRef} data={data} /> : null;
}

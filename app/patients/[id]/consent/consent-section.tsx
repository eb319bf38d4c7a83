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
import { EmergencyOverrideDialog } from '../../../_components/consent/emergency-override-dialog';

export async function ConsentSection({ patientRef, user }: { patientRef: string; user: { id: string; email: string } }) {
  const client = clientAddressFromNormalizedHeaders(await headers());
  const data = await getPatientConsents(getRuntime(), { userId: user.id, email: user.email, ip: client.ip }, patientRef).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === 'NOT_FOUND') return null;
    throw error;
  });
  if (!data) return null;
  return (
    <>
      <ConsentPanel patientRef={data.patientRef} data={data} />
      {/* Break-glass for this patient's images held elsewhere (the person's linked records); refusals link here */}
      <section id="emergency" className="card" style={{ marginTop: '1rem' }} aria-labelledby="emergency-heading">
        <h2 id="emergency-heading" style={{ marginTop: 0 }}>Emergency access</h2>
        <p className="lead">
          When the patient cannot consent and their care cannot wait, open their images held at other facilities for up to 4 hours. You re-enter your
          password and give the reason; the privacy officer is told at once, every access is recorded, and it is reviewed afterwards.
        </p>
        <EmergencyOverrideDialog patientRef={data.patientRef} use="self" />
      </section>
    </>
  );
}

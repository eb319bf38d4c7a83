// "Send transfer notice": /transfers/new (the sending facility's studies of the last day
// offered), ?study=<StudyInstanceUID> (that study preselected, its patient's studies
// offered) or ?patient=<Patient.id>. Made for a phone in an ambulance bay: the form posts
// to POST /api/transfers and opens the notice. Who may not send from their acting
// facility is told so (a clinician without the EMERGENCY or REFERRING role), or gets "not found".
import type { Metadata } from 'next';
import Link from 'next/link';
import { headers } from 'next/headers';
import { clientAddressFromNormalizedHeaders } from '../../../lib/auth';
import { displayName } from '../../../lib/display/dicom-display';
import { isDomainError } from '../../../lib/errors';
import { getRuntime } from '../../../lib/runtime';
import { transferFormChoices, type TransferFormChoices } from '../../../lib/transfers/transfer-form-choices';
import { PortalHeader } from '../../_components/portal-header';
import { requireSignedInUser } from '../../_lib/current-user';
import styles from '../_parts/transfers.module.css';
import { TransferForm } from './transfer-form';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Send transfer notice' };

type SearchParams = Record<string, string | string[] | undefined>;
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.trim().slice(0, 128) || undefined;

export default async function NewTransferPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const query = await searchParams;
  const study = first(query.study);
  const patient = first(query.patient);
  const here = `/transfers/new${study ? `?study=${encodeURIComponent(study)}` : patient ? `?patient=${encodeURIComponent(patient)}` : ''}`;
  const user = await requireSignedInUser(here);
  const client = clientAddressFromNormalizedHeaders(await headers());
  let choices: TransferFormChoices;
  try {
    choices = await transferFormChoices(getRuntime(), { userId: user.id, email: user.email, ip: client.ip, actingFacilityId: user.actingFacilityId }, { study, patient });
  } catch (error) {
    if (!isDomainError(error) || (error.code !== 'FORBIDDEN' && error.code !== 'NOT_FOUND')) throw error;
    return (
      <>
        <PortalHeader user={user} />
        <main id="main">
          <h1>Send transfer notice</h1>
          <div className="alert warn" role="alert" data-testid="transfer-not-allowed">
            Transfer notices are sent by the emergency and referring clinicians of a facility. Ask your facility&rsquo;s administrator for the Emergency or
            Referring role, or switch to the facility you send from.
          </div>
          <p>
            <Link href="/transfers">Emergency board</Link>
          </p>
        </main>
      </>
    );
  }
  return (
    <>
      <PortalHeader user={user} />
      <main id="main">
        <p className={styles.crumbs}>
          <Link href="/transfers">Emergency</Link> › New notice
        </p>
        <h1>Send transfer notice</h1>
        <p className="lead">
          From {choices.facility.name}. The receiving team is alarmed at once and sees the images you choose.
        </p>
        <TransferForm
          services={choices.services}
          studies={choices.studies.map((entry) => ({
            studyInstanceUid: entry.studyInstanceUid,
            patientRef: entry.patientRef,
            label: `${entry.modalities || '—'} · ${entry.description || 'Study without description'}`,
            detail: `${displayName(entry.patientName) || 'Unknown patient'} · ${entry.patientId || 'no MRN'} · ${entry.instances} image${entry.instances === 1 ? '' : 's'}`,
            receivedAt: entry.receivedAt.toISOString(),
          }))}
          patient={choices.patient ? { ref: choices.patient.ref, label: `${displayName(choices.patient.name) || 'Unknown patient'} · MRN ${choices.patient.patientId || '—'}` } : null}
          preselected={choices.preselected}
        />
      </main>
    </>
  );
}

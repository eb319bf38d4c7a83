// "Ask for a second opinion": /referrals/new?study=<StudyInstanceUID> (that
// study preselected and first) or ?patient=<Patient.id> (the newest study
// preselected). The patient, the studies the caller may share (their own
// facilities' studies of this person, across linked records), whom to ask,
// and the question; the form posts to POST /api/referrals
// (lib/referrals/create-referral.ts), uploads the attachments, then opens the case.
import type { Metadata } from 'next';
import Link from 'next/link';
import { displayDate, displayName, displaySex } from '../../../lib/display/dicom-display';
import { DEFAULT_TURNAROUND_MINUTES } from '../../../lib/referrals/due-time';
import { listReferralAddressees } from '../../../lib/referrals/list-addressees';
import { referralFormChoices } from '../../../lib/referrals/referral-form-choices';
import { getRuntime } from '../../../lib/runtime';
import { PortalHeader } from '../../_components/portal-header';
import { requireSignedInUser } from '../../_lib/current-user';
import { auditPageView } from '../../_lib/page-audit';
import { refusePage } from '../../_lib/refused-attempt';
import styles from '../_case/case.module.css';
import { NewReferralForm } from './new-referral-form';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Ask for a second opinion' };

type SearchParams = Record<string, string | string[] | undefined>;
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.trim() || undefined;

export default async function NewReferralPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const query = await searchParams;
  const study = first(query.study);
  const patient = first(query.patient);
  const here = `/referrals/new${study ? `?study=${encodeURIComponent(study)}` : patient ? `?patient=${encodeURIComponent(patient)}` : ''}`;
  const user = await requireSignedInUser(here);
  const runtime = getRuntime();
  if (!study && !patient) {
    return (
      <>
        <PortalHeader user={user} />
        <main id="main">
          <h1>Ask for a second opinion</h1>
          <p className="card">Open the study (or the patient) you want a second opinion on, from the worklist, and ask from there.</p>
          <p>
            <Link href="/">Go to the worklist</Link>
          </p>
        </main>
      </>
    );
  }
  const choices = await referralFormChoices(runtime, user.id, study ? { studyInstanceUid: study } : { patientRef: patient! });
  if (choices === null) {
    return study
      ? refusePage(user, 'portal.study', { kind: 'study', studyInstanceUid: study.slice(0, 64) }, `referrals/new?study=${study.slice(0, 64)}`)
      : refusePage(user, 'portal.patient', { kind: 'patient', id: patient!.slice(0, 64) }, `referrals/new?patient=${patient!.slice(0, 64)}`);
  }
  if (choices === 'not-shareable') {
    return (
      <>
        <PortalHeader user={user} />
        <main id="main">
          <h1>Ask for a second opinion</h1>
          <div className="alert warn" role="alert">
            You read this study through a teleconsultation or a case of someone else: a second opinion on it is asked by its own facility.
          </div>
        </main>
      </>
    );
  }
  await auditPageView(user, {
    action: 'portal.patient',
    outcome: 'SUCCESS',
    facilityId: choices.patient.facilityId,
    patientId: choices.patient.patientId,
    studyUid: study ?? null,
    resource: `patients/${choices.patient.id}`,
    details: { studies: choices.studies.length, shownOn: 'referrals/new' },
  });
  const addressees = await listReferralAddressees(runtime, { userId: user.id, email: user.email, ip: '' });
  const name = displayName(choices.patient.name);

  return (
    <>
      <PortalHeader user={user} />
      <main id="main">
        <p className={styles.crumbs}>
          <Link href="/">Worklist</Link> › <Link href={`/patients/${choices.patient.id}`}>{name}</Link> › Second opinion
        </p>
        <h1>Ask for a second opinion</h1>
        <p className="lead">An expert or a service of another facility reads the studies you choose and answers with a signed report. You can talk on the case meanwhile.</p>
        <dl className={styles.patient} aria-label="Patient">
          <div>
            <dt>Patient</dt>
            <dd>{name || '—'}</dd>
          </div>
          <div>
            <dt>MRN</dt>
            <dd>{choices.patient.patientId || '—'}</dd>
          </div>
          <div>
            <dt>Birth date</dt>
            <dd>{displayDate(choices.patient.birthDate) || '—'}</dd>
          </div>
          <div>
            <dt>Sex</dt>
            <dd>{displaySex(choices.patient.sex) || '—'}</dd>
          </div>
        </dl>
        <NewReferralForm
          studies={choices.studies.map((entry) => ({
            studyInstanceUid: entry.studyInstanceUid,
            label: `${displayDate(entry.studyDate) || 'Unknown date'} · ${entry.modalities.join(', ') || '—'} · ${entry.description || 'Study without description'}`,
            detail: `${entry.facilityName} · ${entry.numberOfInstances} image${entry.numberOfInstances === 1 ? '' : 's'}`,
          }))}
          addressees={addressees}
          defaults={DEFAULT_TURNAROUND_MINUTES}
        />
      </main>
    </>
  );
}

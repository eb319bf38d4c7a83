// The signing screen: /patients/{id}/consent/new — the patient (or their
// representative) reads the facility's consent form on a tablet and signs in
// the box; ?evidence=SCANNED uploads a signed paper form, ?evidence=VERBAL
// records a verbal consent with its witness. ?purpose=, ?recipientKind= and
// ?recipientId= preselect the terms a refused share asked for; ?returnTo= (a
// path of this portal) is where saving leads, e.g. back to the refused form.
import type { Metadata } from 'next';
import Link from 'next/link';
import { headers } from 'next/headers';
import { clientAddressFromNormalizedHeaders } from '../../../../../lib/auth';
import { consentFormChoices } from '../../../../../lib/consent/consent-form-choices';
import { displayDate, displayName } from '../../../../../lib/display/dicom-display';
import { DomainError } from '../../../../../lib/errors';
import { getRuntime } from '../../../../../lib/runtime';
import { PortalHeader } from '../../../../_components/portal-header';
import { requireSignedInUser } from '../../../../_lib/current-user';
import { refusePage } from '../../../../_lib/refused-attempt';
import { RecordConsentForm, type EvidenceMode } from './record-consent-form';
import styles from '../consent.module.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Record consent' };

type SearchParams = Record<string, string | string[] | undefined>;
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.trim() || undefined;

const TITLES: Record<EvidenceMode, string> = { SIGNED: 'Consent to share imaging', SCANNED: 'Upload a scanned consent form', VERBAL: 'Record a verbal consent' };

/** Only a path of this portal (no other site, no protocol-relative //host) */
function safeReturn(value: string | undefined, fallback: string): string {
  return value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : fallback;
}

export default async function RecordConsentPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<SearchParams> }) {
  const { id } = await params;
  const query = await searchParams;
  const user = await requireSignedInUser(`/patients/${id}/consent/new`);
  const client = clientAddressFromNormalizedHeaders(await headers());
  const choices = await consentFormChoices(getRuntime(), { userId: user.id, email: user.email, ip: client.ip }, id).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === 'NOT_FOUND') return null;
    throw error;
  });
  if (!choices) return refusePage(user, 'consent.record', { kind: 'patient', id: id.slice(0, 64) }, `patients/${id.slice(0, 64)}/consent/new`);
  const evidence = first(query.evidence);
  const mode: EvidenceMode = evidence === 'SCANNED' || evidence === 'VERBAL' ? evidence : 'SIGNED';
  const patientPath = `/patients/${encodeURIComponent(choices.patient.id)}`;
  const returnTo = safeReturn(first(query.returnTo), patientPath);
  const name = displayName(choices.patient.name);

  return (
    <>
      <PortalHeader user={user} />
      <main id="main" className={styles.signingMain}>
        <p className={styles.crumbs}>
          <Link href="/">Worklist</Link> › <Link href={patientPath}>{name}</Link> › Consent
        </p>
        <h1>{TITLES[mode]}</h1>
        <p className={styles.patientLine} aria-label="Patient">
          <strong>{name || '—'}</strong> · MRN {choices.patient.patientId || '—'} · born {displayDate(choices.patient.birthDate) || '—'} · {choices.patient.facility.name}
        </p>
        <RecordConsentForm
          choices={{ ...choices, patient: { id: choices.patient.id, name, facilityName: choices.patient.facility.name } }}
          mode={mode}
          defaults={{ purpose: first(query.purpose), recipientKind: first(query.recipientKind), recipientId: first(query.recipientId) }}
          returnTo={returnTo}
        />
      </main>
    </>
  );
}

import type { Metadata } from 'next';
import { getConsentRules } from '../../../../lib/consent/consent-rules';
import { CONSENT_PURPOSES, CONSENT_PURPOSE_WORDS } from '../../../../lib/consent/consent-types';
import { listConsentForms } from '../../../../lib/consent/forms/list-consent-forms';
import type { ConsentFormView } from '../../../../lib/consent/forms/consent-form-types';
import { getRuntime } from '../../../../lib/runtime';
import { AdminShell } from '../../_components/admin-shell';
import { ConsentFormsPanel, type ConsentFormRowView } from '../../_components/consent-forms-panel';
import { ConsentRulesForm } from '../../_components/consent-rules-form';
import { requireFacilityAdmin } from '../../_lib/require-facility-admin';
import styles from '../../admin.module.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Consent · Administration' };

const rowOf = (form: ConsentFormView): ConsentFormRowView => ({
  id: form.id,
  key: form.key,
  language: form.language,
  title: form.title,
  body: form.body,
  version: form.version,
  createdAt: form.createdAt.toISOString(),
  shipped: form.createdById === null,
  retired: form.retired,
});

/** What needs the patient's consent, and the forms they sign: for the facility's administrators (404 for everyone else). */
export default async function ConsentAdminPage({ params }: { params: Promise<{ facilityId: string }> }) {
  const { facilityId } = await params;
  const { user, facility } = await requireFacilityAdmin(facilityId, `/admin/${facilityId}/consent`);
  const runtime = getRuntime();
  const { requiredFor } = await getConsentRules(runtime, { userId: user.id }, facilityId);
  const { forms, history = [] } = await listConsentForms(runtime, { userId: user.id }, facilityId, { history: true });
  const purposes = CONSENT_PURPOSES.map((purpose) => ({ value: purpose, label: CONSENT_PURPOSE_WORDS[purpose].replace(/^./, (first) => first.toUpperCase()) }));
  return (
    <AdminShell user={user} facility={facility} current="consent">
      <section className={styles.section} aria-labelledby="consent-rules-heading">
        <h2 id="consent-rules-heading">What needs consent</h2>
        <p className={styles.muted}>
          Sharing {facility.name}&apos;s images with a user, service or facility outside it, for a ticked purpose, is refused until the patient has
          consented (or a clinician opens an emergency override). Shares inside {facility.name} never need it.
        </p>
        <ConsentRulesForm facilityId={facilityId} purposes={purposes} requiredFor={requiredFor} />
      </section>
      <ConsentFormsPanel facilityId={facilityId} current={forms.map(rowOf)} history={history.map(rowOf)} />
    </AdminShell>
  );
}

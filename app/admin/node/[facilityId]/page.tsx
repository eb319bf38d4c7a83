import type { Metadata } from 'next';
import Link from 'next/link';
import { getFacility } from '../../../../lib/facilities/get-facility';
import { REPORT_LANGUAGES } from '../../../../lib/facilities/facility.types';
import { getRuntime } from '../../../../lib/runtime';
import { requireSignedInUser } from '../../../_lib/current-user';
import { ActionButton } from '../../_components/action-button';
import { FieldsForm } from '../../_components/fields-form';
import { InviteForm } from '../../_components/invite-form';
import { LogoUpload } from '../../_components/logo-upload';
import { NodeShell } from '../../_components/node-shell';
import { orNotFound } from '../../_lib/or-not-found';
import styles from '../../admin.module.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Facility · Node administration' };

export default async function NodeFacilityPage({ params }: { params: Promise<{ facilityId: string }> }) {
  const { facilityId } = await params;
  const user = await requireSignedInUser(`/admin/node/${facilityId}`);
  const facility = await orNotFound(getFacility(getRuntime(), user.id, facilityId));
  const url = `/api/admin/node/facilities/${facility.id}`;
  return (
    <NodeShell
      user={user}
      title={
        <>
          {facility.name} <small className={styles.muted}>({facility.code})</small>
        </>
      }
      trail={[
        { href: '/admin', label: 'Administration' },
        { href: '/admin/node', label: 'Node administration' },
      ]}
    >
      <p className={styles.actions}>
        {facility.disabledAt ? <span className={styles.bad}>Disabled: its users cannot open it.</span> : <span className={styles.ok}>Active</span>}
        {facility.disabledAt ? (
          <ActionButton method="PATCH" url={url} body={{ disabled: false }} label="Enable" />
        ) : (
          <ActionButton method="PATCH" url={url} body={{ disabled: true }} label="Disable" confirm={`Disable ${facility.name}? Its users lose access at once; nothing is deleted.`} />
        )}
        <Link href={`/admin/${facility.id}/services`}>Services ({facility.services})</Link>
      </p>

      <section className={styles.section} aria-labelledby="details-heading">
        <h2 id="details-heading">Details</h2>
        <FieldsForm
          id="facility"
          method="PATCH"
          url={url}
          submitLabel="Save"
          fields={[
            { name: 'name', label: 'Name', required: true, maxLength: 120, defaultValue: facility.name },
            { name: 'address', label: 'Address', maxLength: 300, defaultValue: facility.address },
            { name: 'phone', label: 'Phone', type: 'tel', maxLength: 40, defaultValue: facility.phone },
            {
              name: 'reportLanguage',
              label: 'Language of its reports',
              defaultValue: facility.reportLanguage,
              options: REPORT_LANGUAGES.map((language) => ({ value: language.tag, label: language.name })),
              hint: 'Named in the DICOM SR of every report signed from now on (Language of Content).',
            },
          ]}
        />
        {facility.hasLogo && (
          // A private, session-bound image: served by our route, not an image optimiser
          <img src={`/api/facilities/${facility.id}/logo`} alt={`Logo of ${facility.name}`} style={{ maxHeight: '4rem', maxWidth: '100%', margin: '1rem 0' }} />
        )}
        <LogoUpload facilityId={facility.id} />
      </section>

      <section className={styles.section} aria-labelledby="invite-heading">
        <h2 id="invite-heading">Invite someone</h2>
        <p className={styles.muted}>
          {facility.members === 0 ? 'This facility has no users yet: invite its first administrator. ' : ''}A one-time link for them to choose their name and
          password (or, with an account already, to join). Telepacs sends no email: copy the link to them yourself.
        </p>
        <InviteForm facilityId={facility.id} />
      </section>
    </NodeShell>
  );
}

import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { clientAddressFromNormalizedHeaders } from '../../../../lib/auth';
import { listReportTemplates } from '../../../../lib/reports/templates/list-report-templates';
import { getRuntime } from '../../../../lib/runtime';
import { AdminShell } from '../../_components/admin-shell';
import { ReportTemplatesPanel } from '../../_components/report-templates-panel';
import { requireFacilityAdmin } from '../../_lib/require-facility-admin';
import styles from '../../admin.module.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Report templates · Administration' };

/** The templates experts of this facility start reports from: for its administrators (404 for everyone else). */
export default async function ReportTemplatesPage({ params }: { params: Promise<{ facilityId: string }> }) {
  const { facilityId } = await params;
  const { user, facility } = await requireFacilityAdmin(facilityId, `/admin/${facilityId}/report-templates`);
  const client = clientAddressFromNormalizedHeaders(await headers());
  const templates = await listReportTemplates(getRuntime(), { userId: user.id, email: user.email, ip: client.ip }, facilityId, { includeRetired: true });
  return (
    <AdminShell user={user} facility={facility} current="report-templates">
      <p className={styles.muted}>
        An expert starting a report picks one of these; its sections (clinical information, technique, comparison, findings, impression…) become the
        report&apos;s headings, with their default text and pick lists. The shipped templates are the same for every facility; the others are{' '}
        {facility.name}&apos;s own.
      </p>
      <ReportTemplatesPanel
        facilityId={facilityId}
        templates={templates.map((template) => ({
          id: template.id,
          name: template.name,
          modality: template.modality,
          bodyRegion: template.bodyRegion,
          sections: template.sections,
          shipped: template.facilityId === null,
          retired: template.retired,
        }))}
      />
    </AdminShell>
  );
}

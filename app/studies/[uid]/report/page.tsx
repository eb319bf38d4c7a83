// The report of a study: start one from a template, write it (autosaved),
// release, sign, amend or add an addendum; readers see the published version
// read-only. Who may do what is decided in lib (openReportPage → lib/policy):
// anyone who may not read the study's reports gets the ordinary "not found".
import Link from 'next/link';
import { headers } from 'next/headers';
import { notFound } from 'next/navigation';
import { clientAddressFromNormalizedHeaders } from '../../../../lib/auth';
import { DomainError } from '../../../../lib/errors';
import { ohifViewerUrl } from '../../../../lib/ohif/viewer-url';
import { openReportPage } from '../../../../lib/reports/open-report-page';
import { getRuntime } from '../../../../lib/runtime';
import { PortalHeader } from '../../../_components/portal-header';
import { ReportEventsBridge } from '../../../_components/reports/report-events-bridge';
import { AccessEndedGuard } from '../../../_components/consent/access-ended-guard';
import { requireSignedInUser } from '../../../_lib/current-user';
import { displayDate, displayName } from '../../../../lib/display/dicom-display';
import { FollowReportChanges } from './follow-report-changes';
import { ReportEditor } from './report-editor';
import { TemplatePicker } from './template-picker';
import styles from './report.module.css';

export const dynamic = 'force-dynamic';

/** Series of documents, not images (the report's own SR and PDF, key object selections, presentation states): not in the viewer */
const NOT_IMAGES = new Set(['SR', 'DOC', 'KO', 'PR']);

type SearchParams = Record<string, string | string[] | undefined>;

export default async function ReportPage({ params, searchParams }: { params: Promise<{ uid: string }>; searchParams: Promise<SearchParams> }) {
  const { uid } = await params;
  const query = await searchParams;
  const user = await requireSignedInUser(`/studies/${uid}/report`);
  const versionParam = Array.isArray(query.version) ? query.version[0] : query.version;
  const version = versionParam && /^\d{1,6}$/.test(versionParam) ? Number(versionParam) : undefined;
  // ?referral=<case id>: the report of a second-opinion case on this study (lib/referrals/case-report.ts)
  const referralParam = Array.isArray(query.referral) ? query.referral[0] : query.referral;
  const referralId = referralParam && /^[A-Za-z0-9_-]{1,64}$/.test(referralParam) ? referralParam : undefined;
  const client = clientAddressFromNormalizedHeaders(await headers());
  const opened = await openReportPage(getRuntime(), { userId: user.id, email: user.email, ip: client.ip }, uid, { version, referralId }).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === 'NOT_FOUND') notFound();
    throw error;
  });
  // annotations: those of the teleconsultations of this study the caller took part in
  const { study, report, annotations } = opened;
  const title = study.description || 'Study without description';

  return (
    <>
      <PortalHeader user={user} />
      <main id="main" className="wide">
        <p className={styles.crumbs}>
          <Link href="/">Worklist</Link> › <Link href={`/patients/${study.patient.id}`}>{displayName(study.patient.name)}</Link> ›{' '}
          <Link href={`/studies/${study.studyInstanceUid}`}>Study</Link> › {opened.referralId ? <><Link href={`/referrals/${opened.referralId}`}>Second opinion</Link> › </> : null}Report
        </p>
        <div className={styles.top}>
          <div>
            <h1>Report: {title}</h1>
            <p className="lead">
              {displayName(study.patient.name)} · MRN {study.patient.patientId || '—'} · {displayDate(study.studyDate) || 'no date'} · {study.modalities.join(', ') || '—'}
            </p>
          </div>
          {/* The viewer beside the report reads and measures; OHIF for the rest (MPR, comparison side by side) */}
          <a className="button secondary" href={ohifViewerUrl(study.studyInstanceUid, report?.version.comparisonStudyUid ?? undefined)} target="_blank" rel="noreferrer">
            Open in viewer
          </a>
        </div>
        {report && (
          <>
            <ReportEventsBridge />
            <FollowReportChanges reportId={report.id} />
          </>
        )}
        <AccessEndedGuard studyInstanceUid={study.studyInstanceUid} facilityId={study.facility.id} purgeViewer>
          {report ? (
            <ReportEditor
              key={`${report.id}-${report.version.version}-${report.revision}`}
              report={report}
              pickLists={opened.pickLists}
              priors={opened.priors}
              series={opened.series}
              viewerSeries={study.series.filter((entry) => !NOT_IMAGES.has(entry.modality)).map(({ seriesInstanceUid, seriesNumber, modality, description, numberOfInstances }) => ({ seriesInstanceUid, seriesNumber, modality, description, numberOfInstances }))}
              annotations={annotations}
              author={{ id: user.id, name: user.name }}
              studyInstanceUid={study.studyInstanceUid}
              askedVersion={version ?? null}
            />
          ) : opened.mayWrite ? (
            <TemplatePicker studyInstanceUid={study.studyInstanceUid} referralId={opened.referralId} templates={opened.templates.map((template) => ({ id: template.id, name: template.name, modality: template.modality }))} modalities={study.modalities} />
          ) : (
            <p className="card">No report has been published for this study yet.</p>
          )}
        </AccessEndedGuard>
      </main>
    </>
  );
}

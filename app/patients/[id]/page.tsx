// A patient's imaging history: demographics, then every study as a timeline,
// newest first, with thumbnails, and links to open a study or compare it
// with the newest one in the viewer.
import Link from 'next/link';
import { getRuntime } from '../../../lib/runtime';
import { viewPatientHistory } from '../../../lib/search/view-patient-history';
import { PortalHeader } from '../../_components/portal-header';
import { requireSignedInUser } from '../../_lib/current-user';
import { ageOn, displayDate, displayName, displaySex, ideographicName } from '../../../lib/display/dicom-display';
import { auditPageView } from '../../_lib/page-audit';
import { refusePage } from '../../_lib/refused-attempt';
import { ohifViewerUrl } from '../../../lib/ohif/viewer-url';
import styles from './patient.module.css';
import { StartConsultationForm } from '../../_components/consult/start-consultation-form';
import { PatientLinksPanel } from './patient-links-panel';
import { studyCopyKey } from '../../../lib/reports/study-report-summaries';
import { ReportEventsBridge } from '../../_components/reports/report-events-bridge';
import { StudyReportLinks } from '../../_components/reports/study-report-links';
import { activeOverrideMarks, overridesOfMarks } from '../../../lib/emergency-override/override-marks';
import { OverrideBanner } from '../../_components/consent/override-banner';
import { ConsentSection } from './consent/consent-section';
import { TRANSFER_SENDER_ROLES } from '../../../lib/policy/transfer-access';
import { TransfersSection } from './transfers-section';
import { MergeHistorySection, OrdersSection } from './orders-section';
import { mayAskOtherNodes } from '../../../lib/federation/history/history-at-nodes';
import { OtherNodesSection } from './other-nodes-section';

export const dynamic = 'force-dynamic';

// Series without pixels (a report's PDF and SR, a consent's PDF, key-object and presentation
// states) have no thumbnail to show: the study's badge names them
const DOCUMENT_MODALITIES = new Set(['DOC', 'SR', 'KO', 'PR']);

export default async function PatientPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireSignedInUser(`/patients/${id}`);
  const opened = await viewPatientHistory(getRuntime(), user, id);
  if (!opened) return refusePage(user, 'portal.patient', { kind: 'patient', id }, `patients/${id}`);
  const { patient, mayStartConsultation: canConsult, colleagues, links, reports, orders, merges } = opened;
  // Studies read through an emergency override: marked in red, and each facility's audit row names it (issue 16)
  const overrideMarks = await activeOverrideMarks(getRuntime(), user.id, patient.studies.map((study) => ({ facilityId: study.facility.id, studyInstanceUid: study.studyInstanceUid })));
  const overridesIn = (facilityId: string) => {
    const ids = [...new Set(overrideMarks.filter((mark) => mark.facilityId === facilityId).map((mark) => mark.override.id))];
    return ids.length ? { overrideIds: ids } : {};
  };
  await auditPageView(user, {
    action: 'portal.patient',
    outcome: 'SUCCESS',
    facilityId: patient.facility.id,
    patientId: patient.patientId,
    resource: `patients/${patient.id}`,
    details: { studies: patient.studies.length, ...overridesIn(patient.facility.id) },
  });
  // Studies of linked records show here too: each facility's audit trail records the view of its own
  for (const patientRef of new Set(patient.studies.map((study) => study.patientRef).filter((ref) => ref !== patient.id))) {
    const shown = patient.studies.filter((study) => study.patientRef === patientRef);
    await auditPageView(user, {
      action: 'portal.patient',
      outcome: 'SUCCESS',
      facilityId: shown[0].facility.id,
      patientId: patient.linkedRecords.find((record) => record.id === patientRef)?.patientId ?? null,
      resource: `patients/${patientRef}`,
      details: { studies: shown.length, shownOn: `patients/${patient.id}`, ...overridesIn(shown[0].facility.id) },
    });
  }
  const newest = patient.studies[0];
  // A consultation is started on this record's own studies (linked records' studies are their facility's to share)
  const ownStudies = patient.studies.filter((study) => study.patientRef === patient.id);
  const linkedRecords = patient.linkedRecords.map((record) => ({
    id: record.id,
    patientId: record.patientId,
    name: displayName(record.name),
    birthDate: displayDate(record.birthDate),
    facility: record.facility.name,
    how: record.link.method === 'AUTOMATIC' ? 'by the region-wide patient ID' : `by ${record.link.linkedBy?.name ?? 'an administrator'} on ${record.link.linkedAt.toISOString().slice(0, 10)}`,
    canUnlink: links.canUnlink(record.facility.id),
  }));
  const ideographic = ideographicName(patient.name);
  // Federated history: shown when the record carries the region-wide ID; the nodes are asked by the browser, after the page
  const showOtherNodes = await mayAskOtherNodes(getRuntime(), user.id, patient.id);

  return (
    <>
      <PortalHeader user={user} />
      <main id="main">
        <p className={styles.crumbs}>
          <Link href="/">Worklist</Link> › Patient
        </p>
        <OverrideBanner overrides={overridesOfMarks(overrideMarks)} />
        <h1>
          {displayName(patient.name)} {ideographic && <span className={styles.ideographic}>{ideographic}</span>}
          {patient.demographicsSource === 'HIS' && (
            <span className={`badge ${styles.hisBadge}`} data-testid="his-badge">
              Demographics from the HIS
            </span>
          )}
          {patient.demographicsSource === 'HIS' && patient.demographicsAt && (
            <small className={styles.hisSince}>Name, sex and birth date as the hospital system last sent them, {patient.demographicsAt.toISOString().replace('T', ' ').slice(0, 16)} UTC</small>
          )}
        </h1>
        {patient.mergedIntoRef && (
          <p className="alert warn" role="note">
            This record was merged into another; its studies are filed there now. <Link href={`/patients/${patient.mergedIntoRef}`}>Open the surviving record</Link>
          </p>
        )}
        <dl className={styles.demographics}>
          <div>
            <dt>MRN</dt>
            <dd>
              {patient.patientId || '—'}
              {patient.issuer && !patient.issuer.startsWith('telepacs:') && <small> ({patient.issuer})</small>}
            </dd>
          </div>
          <div>
            <dt>Sex</dt>
            <dd>{displaySex(patient.sex)}</dd>
          </div>
          <div>
            <dt>Birth date</dt>
            <dd>
              {displayDate(patient.birthDate) || 'unknown'} {patient.birthDate && <small>({ageOn(patient.birthDate)})</small>}
            </dd>
          </div>
          <div>
            <dt>Facility</dt>
            <dd>{patient.facility.name}</dd>
          </div>
          <div>
            <dt>Studies</dt>
            <dd>{patient.studies.length}</dd>
          </div>
        </dl>

        <OrdersSection orders={orders} />
        <MergeHistorySection merges={merges} />
        <ConsentSection patientRef={patient.id} user={user} />
        <TransfersSection patientRef={patient.id} user={user} />

        {user.memberships.some((membership) => membership.facilityId === patient.facility.id && TRANSFER_SENDER_ROLES.includes(membership.role)) && (
          <p className={styles.askSecondOpinion}>
            <Link className="button danger" href={`/transfers/new?patient=${encodeURIComponent(patient.id)}`} data-testid="send-transfer">
              Send transfer notice
            </Link>{' '}
            <small>Pre-notify the receiving hospital: condition, vitals, ETA and these images; their team is alarmed at once.</small>
          </p>
        )}
        {canConsult && (
          <p className={styles.askSecondOpinion}>
            <Link className="button secondary" href={`/referrals/new?patient=${encodeURIComponent(patient.id)}`}>
              Ask for a second opinion
            </Link>{' '}
            <small>Send this patient&rsquo;s studies to a remote expert or service; the answer is a signed report.</small>
          </p>
        )}
        {canConsult && (
          <StartConsultationForm
            studies={ownStudies.map((study) => ({
              studyInstanceUid: study.studyInstanceUid,
              label: `${displayDate(study.studyDate) || 'Unknown date'} · ${study.modalities.join('/') || '—'} · ${study.description || 'Study without description'}`,
            }))}
            colleagues={colleagues}
            defaultTitle={`Second opinion: ${displayName(patient.name)}`}
          />
        )}

        {(linkedRecords.length > 0 || links.canLink) && <PatientLinksPanel patientRef={patient.id} records={linkedRecords} canLink={links.canLink} />}

        <h2>Imaging history</h2>
        {reports.size > 0 && <ReportEventsBridge />}
        {patient.studies.length === 0 ? (
          <p className="card">No studies are stored for this patient.</p>
        ) : (
          <ol className={styles.timeline} aria-label="Studies, newest first">
            {patient.studies.map((study) => {
              const bodyParts = [...new Set(study.series.map((series) => series.bodyPart).filter(Boolean))];
              const report = reports.get(studyCopyKey({ facilityId: study.facility.id, studyInstanceUid: study.studyInstanceUid }));
              return (
                <li key={study.studyInstanceUid} className={styles.study}>
                  <div className={styles.when}>
                    <strong>{displayDate(study.studyDate) || 'no date'}</strong>
                    <small>{ageOn(patient.birthDate, study.studyDate)}</small>
                  </div>
                  <div className={styles.body}>
                    <h3 className={styles.title}>
                      <Link href={`/studies/${study.studyInstanceUid}`}>{study.description || 'Study without description'}</Link>
                    </h3>
                    <p className={styles.meta}>
                      <span className={styles.facility} title={`Held by ${study.facility.name} (${study.facility.code})`}>
                        {study.facility.name}
                      </span>
                      <span className="badge">{study.modalities.join(', ') || '—'}</span>
                      {bodyParts.length > 0 && <span>{bodyParts.join(', ')}</span>}
                      <span>
                        {study.numberOfSeries} series, {study.numberOfInstances} image{study.numberOfInstances === 1 ? '' : 's'}
                      </span>
                      {study.accessionNumber && <span>Acc. {study.accessionNumber}</span>}
                      {report && <StudyReportLinks studyInstanceUid={study.studyInstanceUid} facilityId={study.facility.id} report={report} />}
                    </p>
                    <div className={styles.thumbs}>
                      {study.series.filter((series) => !DOCUMENT_MODALITIES.has(series.modality)).slice(0, 6).map((series) => (
                        // eslint-disable-next-line @next/next/no-img-element -- served by our DICOMweb, same origin, session cookie
                        <img
                          key={series.seriesInstanceUid}
                          src={`/dicomweb/studies/${study.studyInstanceUid}/series/${series.seriesInstanceUid}/thumbnail`}
                          alt={`Series ${series.seriesNumber ?? ''} ${series.modality} ${series.description}`.trim()}
                          width={96}
                          height={96}
                          loading="lazy"
                        />
                      ))}
                    </div>
                    <p className={styles.actions}>
                      <Link href={`/studies/${study.studyInstanceUid}`} className="button secondary small">
                        Study details
                      </Link>
                      <a href={ohifViewerUrl(study.studyInstanceUid)} className="button small">
                        Open in viewer
                      </a>
                      {newest && newest.studyInstanceUid !== study.studyInstanceUid && (
                        <a href={ohifViewerUrl(newest.studyInstanceUid, study.studyInstanceUid)} className="button secondary small">
                          Compare with {displayDate(newest.studyDate) || 'the newest'}
                        </a>
                      )}
                    </p>
                  </div>
                </li>
              );
            })}
          </ol>
        )}
        {showOtherNodes && <OtherNodesSection patientRef={patient.id} />}
      </main>
    </>
  );
}

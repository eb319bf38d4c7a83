// One study: who and what, its series with thumbnails and counts, the DICOM
// tags of any instance, download as a zip, open in the viewer, and, for the
// facility's administrators, delete with a reason (audited).
import { AccessEndedGuard } from '../../_components/consent/access-ended-guard';
import Link from 'next/link';
import { getRuntime } from '../../../lib/runtime';
import { openStudy } from '../../../lib/search/view-study';
import { PortalHeader } from '../../_components/portal-header';
import { requireSignedInUser } from '../../_lib/current-user';
import { ageOn, displayDate, displayName, displaySex, displayTime } from '../../../lib/display/dicom-display';
import { auditPageView } from '../../_lib/page-audit';
import { refusePage } from '../../_lib/refused-attempt';
import { ohifViewerUrl } from '../../../lib/ohif/viewer-url';
import { TagFilter } from './tag-filter';
import { StartConsultationForm } from '../../_components/consult/start-consultation-form';
import { ReportEventsBridge } from '../../_components/reports/report-events-bridge';
import { StudyReportLinks } from '../../_components/reports/study-report-links';
import styles from './study.module.css';
import { activeOverrideMarks, overridesOfMarks } from '../../../lib/emergency-override/override-marks';
import { OverrideBanner } from '../../_components/consent/override-banner';
import { TRANSFER_SENDER_ROLES } from '../../../lib/policy/transfer-access';
import { STUDY_SENDER_ROLES } from '../../../lib/policy/federation-access';
import { listDestinations } from '../../../lib/federation/peers/node-federation-view';
import { listTransfersFor } from '../../../lib/federation/transfers/transfer-view';
import { SendToNode } from './send-to-node';

export const dynamic = 'force-dynamic';

type SearchParams = Record<string, string | string[] | undefined>;
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export default async function StudyPage({ params, searchParams }: { params: Promise<{ uid: string }>; searchParams: Promise<SearchParams> }) {
  const { uid } = await params;
  const query = await searchParams;
  const user = await requireSignedInUser(`/studies/${uid}`);
  const tagsSeries = first(query.tags);
  const opened = await openStudy(getRuntime(), user, uid, { tagsSeries, instance: first(query.instance) });
  if (!opened) return refusePage(user, 'portal.study', { kind: 'study', studyInstanceUid: uid }, `studies/${uid}`);
  const { study, mayDelete: isAdmin, header, mayStartConsultation: canConsult, colleagues, mayReadReports, report } = opened;
  // Read through an emergency override: marked in red, and the access names it (issue 16)
  const overrideMarks = await activeOverrideMarks(getRuntime(), user.id, [{ facilityId: study.facility.id, studyInstanceUid: study.studyInstanceUid }]);
  await auditPageView(user, {
    action: 'portal.study',
    outcome: 'SUCCESS',
    facilityId: study.facility.id,
    patientId: study.patient.patientId,
    studyUid: study.studyInstanceUid,
    resource: `studies/${study.studyInstanceUid}`,
    details: { ...(header ? { tagsOf: header.sopInstanceUid } : {}), ...(overrideMarks.length ? { overrideId: overrideMarks[0].override.id } : {}) },
  });
  const error = first(query.error);
  // Send to another node (issue 19): a clinician or administrator acting for the study's facility, when a paired node has facilities
  const maySendToNode = user.actingFacilityId === study.facility.id && user.memberships.some((membership) => membership.facilityId === study.facility.id && STUDY_SENDER_ROLES.includes(membership.role));
  const [destinations, nodeTransfers] = await Promise.all([maySendToNode ? listDestinations(getRuntime(), user.id) : [], listTransfersFor(getRuntime(), user.id, { studyInstanceUid: study.studyInstanceUid, limit: 20 })]);

  return (
    <>
      <PortalHeader user={user} />
      <main id="main" className="wide">
        <p className={styles.crumbs}>
          <Link href="/">Worklist</Link> › <Link href={`/patients/${study.patient.id}`}>{displayName(study.patient.name)}</Link> › Study
        </p>
        <OverrideBanner overrides={overridesOfMarks(overrideMarks)} />
        <div className={styles.top}>
          <div>
            <h1>{study.description || 'Study without description'}</h1>
            <p className="lead">
              <Link href={`/patients/${study.patient.id}`}>{displayName(study.patient.name)}</Link> · MRN {study.patient.patientId || '—'} ·{' '}
              {displaySex(study.patient.sex)} {ageOn(study.patient.birthDate, study.studyDate)}
            </p>
          </div>
          <div className={styles.actions}>
            <Link className="button secondary" href={`/studies/${study.studyInstanceUid}/report`}>Report</Link>
            {canConsult && (
              <Link className="button secondary" href={`/referrals/new?study=${encodeURIComponent(study.studyInstanceUid)}`}>
                Ask for a second opinion
              </Link>
            )}
            {/* Emergency transfer (issue 17): the emergency and referring clinicians of the study's own facility */}
            {user.memberships.some((membership) => membership.facilityId === study.facility.id && TRANSFER_SENDER_ROLES.includes(membership.role)) && (
              <Link className="button danger" href={`/transfers/new?study=${encodeURIComponent(study.studyInstanceUid)}`} data-testid="send-transfer">
                Send transfer notice
              </Link>
            )}
            {destinations.length > 0 && (
              <a className="button secondary" href="#send-to-node">
                Send to another node
              </a>
            )}
            <a className="button" href={ohifViewerUrl(study.studyInstanceUid)}>
              Open in viewer
            </a>
            <a className="button secondary" href={`/api/studies/${study.studyInstanceUid}/download`} download>
              Download (zip)
            </a>
          </div>
        </div>
        {error && (
          <div className="alert error" role="alert">
            {error}
          </div>
        )}
        <dl className={styles.facts}>
          <div>
            <dt>Study date</dt>
            <dd>
              {displayDate(study.studyDate) || '—'} {displayTime(study.studyTime)}
            </dd>
          </div>
          <div>
            <dt>Modalities</dt>
            <dd>{study.modalities.join(', ') || '—'}</dd>
          </div>
          <div>
            <dt>Accession</dt>
            <dd>{study.accessionNumber || '—'}</dd>
          </div>
          <div>
            <dt>Referring physician</dt>
            <dd>{study.referringPhysician ? displayName(study.referringPhysician) : '—'}</dd>
          </div>
          <div>
            <dt>Series / images</dt>
            <dd>
              {study.numberOfSeries} / {study.numberOfInstances}
            </dd>
          </div>
          <div>
            <dt>Facility</dt>
            <dd>{study.facility.name}</dd>
          </div>
          {mayReadReports && (
            <div>
              <dt>Report</dt>
              <dd>
                <ReportEventsBridge />
                <StudyReportLinks studyInstanceUid={study.studyInstanceUid} facilityId={study.facility.id} report={report} />
              </dd>
            </div>
          )}
          <div className={styles.uid}>
            <dt>Study Instance UID</dt>
            <dd>{study.studyInstanceUid}</dd>
          </div>
        </dl>

        {(destinations.length > 0 || nodeTransfers.length > 0) && (
          <SendToNode
            studyInstanceUid={study.studyInstanceUid}
            destinations={destinations}
            series={study.series.map((series) => ({ seriesInstanceUid: series.seriesInstanceUid, label: `${series.seriesNumber ?? '—'} · ${series.modality || '—'} · ${series.description || 'no description'} (${series.numberOfInstances} image${series.numberOfInstances === 1 ? '' : 's'})` }))}
            initialTransfers={nodeTransfers}
            initialFacilityId={first(query.sendTo)}
          />
        )}

        {canConsult && (
          <StartConsultationForm
            studies={[{ studyInstanceUid: study.studyInstanceUid, label: study.description || 'This study' }]}
            colleagues={colleagues}
            defaultTitle={`Second opinion: ${study.description || 'study'} of ${displayDate(study.studyDate) || 'unknown date'}`}
          />
        )}

        <AccessEndedGuard studyInstanceUid={study.studyInstanceUid} facilityId={study.facility.id}>
        <h2>Series</h2>
        <ul className={styles.series}>
          {study.series.map((series) => (
            <li key={series.seriesInstanceUid} className={tagsSeries === series.seriesInstanceUid ? styles.selected : ''}>
              {/* eslint-disable-next-line @next/next/no-img-element -- our DICOMweb, same origin, session cookie */}
              <img
                src={`/dicomweb/studies/${study.studyInstanceUid}/series/${series.seriesInstanceUid}/thumbnail`}
                alt={`Series ${series.seriesNumber ?? ''} thumbnail`}
                width={128}
                height={128}
                loading="lazy"
              />
              <div>
                <strong>
                  {series.seriesNumber ?? '—'} · {series.modality || '—'}
                </strong>
                <span>{series.description || 'no description'}</span>
                <small>
                  {series.numberOfInstances} image{series.numberOfInstances === 1 ? '' : 's'}
                  {series.bodyPart ? ` · ${series.bodyPart}` : ''}
                </small>
                <Link href={`/studies/${study.studyInstanceUid}?tags=${series.seriesInstanceUid}#tags`} className={styles.tagsLink}>
                  DICOM tags
                </Link>
              </div>
            </li>
          ))}
        </ul>
        </AccessEndedGuard>

        {tagsSeries && (
          <section id="tags" aria-labelledby="tags-heading">
            <h2 id="tags-heading">DICOM tags{header ? ` — instance ${header.instanceNumber ?? header.sopInstanceUid}` : ''}</h2>
            {!header ? (
              <p className="card">This series has no instance in this study.</p>
            ) : (
              <>
                <TagFilter tableId="tag-table" />
                <div className={styles.tableWrap}>
                  <table id="tag-table" className={styles.tags}>
                    <thead>
                      <tr>
                        <th scope="col">Tag</th>
                        <th scope="col">Name</th>
                        <th scope="col">VR</th>
                        <th scope="col">Value</th>
                      </tr>
                    </thead>
                    <tbody>
                      {header.rows.map((row, index) => (
                        <tr key={`${row.tag}-${index}`}>
                          <td className={styles.mono} style={{ paddingLeft: `${0.7 + row.depth * 1}rem` }}>
                            {row.tag}
                          </td>
                          <td>{row.keyword}</td>
                          <td className={styles.mono}>{row.vr}</td>
                          <td className={styles.value}>{row.value}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </>
            )}
          </section>
        )}

        {isAdmin && (
          <section className={styles.danger} aria-labelledby="delete-heading">
            <h2 id="delete-heading">Delete this study</h2>
            <p>
              Removes every image of the study from the archive for good. The deletion and its reason are kept in the audit log.
            </p>
            <form method="post" action={`/api/studies/${study.studyInstanceUid}/delete`}>
              <div className="field">
                <label htmlFor="delete-reason">Reason (required)</label>
                <input id="delete-reason" name="reason" required minLength={5} maxLength={500} placeholder="e.g. wrong patient, sent twice" />
              </div>
              <button type="submit" className={`button ${styles.deleteButton}`}>
                Delete study
              </button>
            </form>
          </section>
        )}
      </main>
    </>
  );
}

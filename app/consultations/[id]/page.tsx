// A live teleconsultation: for its participants only (anyone else, and an
// unknown id, get the same "Not found"). The page gives the room what it
// needs to start (the study's series, who I am in the session); everything
// live comes over the /consult socket once the room has joined.
import { notFound } from 'next/navigation';
import { headers } from 'next/headers';
import { clientAddressFromNormalizedHeaders } from '../../../lib/auth';
import { enterConsultation } from '../../../lib/consult/enter-consultation';
import { isPolicyError } from '../../../lib/policy';
import { getRuntime } from '../../../lib/runtime';
import { viewStudy } from '../../../lib/search/view-study';
import { PortalHeader } from '../../_components/portal-header';
import { AccessEndedGuard } from '../../_components/consent/access-ended-guard';
import { requireSignedInUserOrGuest } from '../../_lib/current-user';
import { ageOn, displayDate, displayName, displaySex } from '../../../lib/display/dicom-display';
import { auditPageView } from '../../_lib/page-audit';
import { ConsultationRoom } from './consultation-room';
import styles from './consultation.module.css';

export const dynamic = 'force-dynamic';

export default async function ConsultationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // Guests too: consultationForParticipant keeps each in their own session
  const user = await requireSignedInUserOrGuest(`/consultations/${id}`);
  const runtime = getRuntime();
  const client = clientAddressFromNormalizedHeaders(await headers());
  const actor = { userId: user.id, email: user.email, ip: client.ip };
  const consultation = await enterConsultation(runtime, actor, id, 'page').catch((error: unknown) => {
    if (isPolicyError(error)) notFound();
    throw error;
  });
  const study = await viewStudy(runtime, user, consultation.studyInstanceUid);
  if (!study) notFound();
  await auditPageView(user, {
    action: 'portal.consultation',
    outcome: 'SUCCESS',
    facilityId: study.facility.id,
    patientId: study.patient.patientId,
    studyUid: study.studyInstanceUid,
    resource: `consultations/${consultation.id}`,
  });
  const patientLine = [
    displayName(study.patient.name),
    `MRN ${study.patient.patientId || '—'}`,
    `${displaySex(study.patient.sex)} ${ageOn(study.patient.birthDate, study.studyDate)}`.trim(),
    study.description || 'Study without description',
    displayDate(study.studyDate),
    study.facility.name,
  ]
    .filter(Boolean)
    .join(' · ');
  const series = study.series
    .filter((entry) => !['SR', 'KO', 'PR', 'SEG', 'RTSTRUCT', 'DOC'].includes(entry.modality))
    .map((entry) => ({
      seriesInstanceUid: entry.seriesInstanceUid,
      seriesNumber: entry.seriesNumber,
      modality: entry.modality,
      description: entry.description,
      numberOfInstances: entry.numberOfInstances,
    }));

  return (
    <div className={styles.page}>
      <PortalHeader user={user} />
      <AccessEndedGuard studyInstanceUid={study.studyInstanceUid} facilityId={study.facility.id} purgeViewer>
        <ConsultationRoom
          consultationId={consultation.id}
          title={consultation.title || `Teleconsultation on ${study.description || 'a study'}`}
          patientLine={patientLine}
          studyInstanceUid={study.studyInstanceUid}
          series={series}
          me={{ userId: user.id, role: consultation.role }}
          hostName={consultation.participants.find((participant) => participant.role === 'HOST')?.name ?? 'the host'}
          endedAt={consultation.endedAt?.toISOString() ?? null}
        />
      </AccessEndedGuard>
    </div>
  );
}

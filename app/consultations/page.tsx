// My teleconsultations: the sessions I was invited to or started, newest
// first, with who hosts, on which study, and whether it is still open.
import Link from 'next/link';
import { listMyConsultations } from '../../lib/consult/list-my-consultations';
import { getRuntime } from '../../lib/runtime';
import { PortalHeader } from '../_components/portal-header';
import { requireSignedInUser } from '../_lib/current-user';
import { displayName } from '../../lib/display/dicom-display';

export const dynamic = 'force-dynamic';

const dateTime = (date: Date) => date.toISOString().slice(0, 16).replace('T', ' ');

export default async function ConsultationsPage() {
  const user = await requireSignedInUser('/consultations');
  const consultations = await listMyConsultations(getRuntime(), { userId: user.id });
  return (
    <>
      <PortalHeader user={user} />
      <main id="main" className="wide">
        <h1>Teleconsultations</h1>
        <p className="lead">
          Sessions you started or were invited to. Start one from a study or a patient page (&ldquo;Start a teleconsultation&rdquo;).
        </p>
        {consultations.length === 0 ? (
          <p>None yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Session</th>
                <th>Patient</th>
                <th>Study</th>
                <th>Host</th>
                <th>Started (UTC)</th>
                <th>People</th>
                <th>Annotations</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {consultations.map((consultation) => (
                <tr key={consultation.id}>
                  <td>
                    <Link href={`/consultations/${consultation.id}`}>{consultation.title || 'Teleconsultation'}</Link>
                  </td>
                  <td>
                    {displayName(consultation.patientName)} {consultation.patientId && <small>({consultation.patientId})</small>}
                  </td>
                  <td>{consultation.studyDescription || '—'}</td>
                  <td>
                    {consultation.hostName}
                    {consultation.myRole === 'HOST' ? ' (you)' : ''}
                  </td>
                  <td>{dateTime(consultation.createdAt)}</td>
                  <td>{consultation.participants}</td>
                  <td>{consultation.annotations}</td>
                  <td>{consultation.endedAt ? `ended ${dateTime(consultation.endedAt)}` : <span className="badge">open</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </main>
    </>
  );
}

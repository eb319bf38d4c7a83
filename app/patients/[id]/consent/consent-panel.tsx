// The patient page's consent panel: the status at a glance (active permits,
// a refusal, or nothing recorded), each consent with its terms, evidence PDF
// and state (revoke with a reason where allowed), and the share history —
// who received which study, for what, on which basis, from when until when —
// what a patient asking "who saw my images?" is shown. Data from
// lib/consent/patient-consents.ts.
import type { ConsentView, PatientConsents, ShareView } from '../../../../lib/consent/patient-consents';
import { CONSENT_PURPOSE_WORDS, type ConsentPurpose } from '../../../../lib/consent/consent-types';
import { RevokeConsentButton } from './revoke-consent-button';
import styles from './consent.module.css';

const STATE_WORDS: Record<ConsentView['state'], string> = { ACTIVE: 'Active', PENDING: 'Not yet started', EXPIRED: 'Expired', REVOKED: 'Revoked', ENTERED_IN_ERROR: 'Entered in error' };
const EVIDENCE_WORDS: Record<string, string> = { SIGNED: 'Signed on screen', SCANNED: 'Scanned paper form', VERBAL: 'Verbal, witnessed', EXTERNAL: 'Sent by a hospital system' };

const day = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : '');
const when = (date: Date) => `${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, 16)} UTC`;
const purposeWord = (purpose: string) => CONSENT_PURPOSE_WORDS[purpose as ConsentPurpose] ?? purpose.toLowerCase();

function statusLine(data: PatientConsents): { tone: 'permit' | 'deny' | 'none'; text: string; detail: string } {
  const denies = data.consents.filter((row) => row.state === 'ACTIVE' && row.decision === 'DENY');
  if (denies.length) return { tone: 'deny', text: `Refused: ${denies.map((row) => `${row.purposeWords} with ${row.recipient}`).join('; ')}`, detail: 'A refusal outweighs any permit.' };
  const permits = data.summary.activePermits;
  if (permits) return { tone: 'permit', text: `Consent to share: ${permits} active permit${permits === 1 ? '' : 's'}`, detail: '' };
  const past = data.consents.length;
  return { tone: 'none', text: 'No consent recorded', detail: past ? `${past} earlier consent${past === 1 ? ' is' : 's are'} no longer in force.` : 'Sharing beyond this facility needs one.' };
}

export function ConsentPanel({ patientRef, data }: { patientRef: string; data: PatientConsents }) {
  const status = statusLine(data);
  const base = `/patients/${encodeURIComponent(patientRef)}/consent/new`;
  return (
    <section className={styles.panel} id="consent" aria-labelledby="consent-title">
      <h2 id="consent-title">Consent to share</h2>
      <p className={styles.status} data-tone={status.tone} data-testid="consent-status">
        <span>{status.text}</span>
        {status.detail && <small>{status.detail}</small>}
      </p>
      <p className={styles.panelActions}>
        <a className="button" href={base}>
          Record consent
        </a>
        <a className="button secondary" href={`${base}?evidence=SCANNED`}>
          Upload scanned form
        </a>
        <a className="button secondary" href={`${base}?evidence=VERBAL`}>
          Record verbal consent
        </a>
      </p>
      {data.consents.length > 0 && (
        <ul className={styles.consents} aria-label="Consents, newest first">
          {data.consents.map((consent) => (
            <ConsentItem key={consent.id} consent={consent} />
          ))}
        </ul>
      )}
      <h3>Share history</h3>
      {data.shares.length === 0 ? (
        <p className={styles.muted}>No images of this patient have been shared beyond the facility that holds them.</p>
      ) : (
        <ShareHistory shares={data.shares} />
      )}
    </section>
  );
}

function ConsentItem({ consent }: { consent: ConsentView }) {
  const label = `${consent.decision === 'PERMIT' ? 'Permit' : 'Refusal'}: ${consent.purposeWords} with ${consent.recipient}`;
  return (
    <li className={styles.consent} data-decision={consent.decision} data-state={consent.state} data-testid="consent">
      <div className={styles.consentHead}>
        <strong className={consent.decision === 'PERMIT' ? styles.decisionPermit : styles.decisionDeny}>{consent.decision === 'PERMIT' ? 'Permits sharing' : 'Refuses sharing'}</strong>
        <span>with {consent.recipient}</span>
        <span className={`badge ${styles.stateBadge}`} data-state={consent.state}>
          {STATE_WORDS[consent.state]}
        </span>
      </div>
      <dl className={styles.terms}>
        <dt>For</dt>
        <dd>{consent.purposeWords}</dd>
        <dt>Data</dt>
        <dd>{consent.data}</dd>
        <dt>Period</dt>
        <dd>
          {day(consent.validFrom)} – {consent.validUntil ? day(consent.validUntil) : 'until revoked'}
        </dd>
        <dt>Evidence</dt>
        <dd>
          {EVIDENCE_WORDS[consent.evidence] ?? consent.evidence}
          {consent.signerName && `, ${consent.signerRole === 'REPRESENTATIVE' ? `by ${consent.signerName} (${consent.representativeRelation || 'representative'})` : `by ${consent.signerName}`}`}
          {consent.witnessName && `, witness ${consent.witnessName}`}
          {consent.form && ` — form “${consent.form.title}” v${consent.form.version} (${consent.form.language})`}
          {consent.hasDocument && (
            <>
              {' · '}
              <a href={`/api/consents/${encodeURIComponent(consent.id)}/document`} target="_blank" rel="noreferrer">
                Consent PDF
              </a>
            </>
          )}
        </dd>
        <dt>Recorded</dt>
        <dd>
          {when(consent.recordedAt)} by {consent.recordedBy}
          {consent.facility && `, ${consent.facility}`}
        </dd>
        {consent.revokedAt && (
          <>
            <dt>{consent.state === 'ENTERED_IN_ERROR' ? 'Withdrawn' : 'Revoked'}</dt>
            <dd>
              {when(consent.revokedAt)}
              {consent.revokedBy && ` by ${consent.revokedBy}`}
              {consent.revokeReason && `: ${consent.revokeReason}`}
            </dd>
          </>
        )}
      </dl>
      {consent.mayRevoke && <RevokeConsentButton consentId={consent.id} label={label} />}
    </li>
  );
}

function ShareHistory({ shares }: { shares: ShareView[] }) {
  return (
    <table className={styles.shares} data-testid="share-history">
      <thead>
        <tr>
          <th scope="col">Who</th>
          <th scope="col">Study</th>
          <th scope="col">Purpose</th>
          <th scope="col">Basis</th>
          <th scope="col">From</th>
          <th scope="col">Until</th>
        </tr>
      </thead>
      <tbody>
        {shares.map((share) => (
          <tr key={share.grantId} data-active={share.active ? 'true' : 'false'}>
            <td data-label="Who">
              <span>
                {share.grantee}
                {share.grantedBy && share.grantedBy !== share.grantee && <small className={styles.muted}> · shared by {share.grantedBy}</small>}
              </span>
            </td>
            <td data-label="Study">
              <span>
                {share.study.description || 'Study'} {share.study.date && <small className={styles.muted}>{share.study.date}</small>}
              </span>
            </td>
            <td data-label="Purpose">{purposeWord(share.purpose)}</td>
            <td data-label="Basis">{share.basis}</td>
            <td data-label="From">{when(share.from)}</td>
            <td data-label="Until">
              {share.revokedAt ? (
                <span className={styles.ended}>
                  Ended {when(share.revokedAt)}
                  {share.revokeReason && `: ${share.revokeReason}`}
                </span>
              ) : share.until ? (
                <span>{share.active ? when(share.until) : `Expired ${when(share.until)}`}</span>
              ) : (
                <span>While the case lasts</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

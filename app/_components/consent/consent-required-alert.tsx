'use client';
// What a form shows when a share it asked for is refused for want of consent
// (HTTP 409 CONSENT_REQUIRED, lib/policy/share-basis.ts): the server's message
// (what is missing, for whom, for what) and the two ways forward — record the
// patient's consent now (the signing screen, back to this form afterwards) or
// the emergency override. The form's typed content stays as it is: this only
// renders beside it.
import { EmergencyOverrideDialog } from './emergency-override-dialog';

export interface ConsentRequiredAnswer {
  error: 'CONSENT_REQUIRED';
  message: string;
  consent: { patientRef: string; purpose: string; recipient: string; denied: boolean };
}

export function isConsentRequired(status: number, data: unknown): data is ConsentRequiredAnswer {
  const answer = data as Partial<ConsentRequiredAnswer> | null;
  return status === 409 && answer?.error === 'CONSENT_REQUIRED' && typeof answer.consent?.patientRef === 'string';
}

/**
 * `recipient`: whom the form was sharing with, to preselect on the signing screen.
 * `onOverride`: the form shares on an emergency override the clinician opens here (the
 * break-glass dialog, use "share"); without it, the patient page's emergency section.
 */
export function ConsentRequiredAlert({ answer, recipient, returnTo, onOverride }: { answer: ConsentRequiredAnswer; recipient?: { kind: 'FACILITY' | 'SERVICE' | 'USER'; id: string } | null; returnTo?: string; onOverride?: (overrideId: string) => void }) {
  const { patientRef, purpose, denied } = answer.consent;
  const back = returnTo ?? (typeof window === 'undefined' ? '' : `${window.location.pathname}${window.location.search}`);
  const query = new URLSearchParams({ purpose, ...(recipient ? { recipientKind: recipient.kind, recipientId: recipient.id } : {}), ...(back ? { returnTo: back } : {}) });
  const patientPath = `/patients/${encodeURIComponent(patientRef)}`;
  return (
    <div className="alert error" role="alert" data-testid="consent-required">
      <p style={{ margin: '0 0 0.5rem', fontWeight: 600 }}>{answer.message}</p>
      {denied && <p style={{ margin: '0 0 0.5rem' }}>The patient refused this sharing: their refusal must be revoked on the patient page before a new consent counts.</p>}
      <p style={{ margin: 0, display: 'flex', flexWrap: 'wrap', gap: '0.5rem' }}>
        <a className="button" href={denied ? `${patientPath}#consent` : `${patientPath}/consent/new?${query.toString()}`}>
          {denied ? 'Open the patient’s consents' : 'Record consent now'}
        </a>
        {!onOverride && (
          <a className="button secondary" href={`${patientPath}#emergency`} data-testid="emergency-override">
            Emergency override
          </a>
        )}
      </p>
      {onOverride && (
        <div data-testid="emergency-override">
          <EmergencyOverrideDialog patientRef={patientRef} use="share" label="Emergency override" onDeclared={(id) => onOverride(id)} />
        </div>
      )}
    </div>
  );
}

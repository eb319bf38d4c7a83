'use client';
// "Process again" on an inbound HL7 message that failed: the bridge runs it
// anew and answers with the new acknowledgment code, shown beside the button
// until the next page load; the row's status follows on the refresh.
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import styles from '../admin.module.css';
import { callApi } from './api-call';

interface Reprocessed {
  status: string;
  ackCode: string;
  ackText: string;
}

export function ReprocessButton({ facilityId, messageId, reprocessable }: { facilityId: string; messageId: string; reprocessable: boolean }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; words: string }>();
  async function run() {
    setPending(true);
    setOutcome(undefined);
    const result = await callApi<Reprocessed>('POST', `/api/admin/facilities/${facilityId}/hl7-messages/${messageId}/reprocess`);
    setPending(false);
    if (!result.ok) {
      setOutcome({ ok: false, words: result.data.message ?? 'The message could not be processed again.' });
      return;
    }
    const { ackCode, ackText } = result.data;
    setOutcome({ ok: ackCode === 'AA', words: `New ACK: ${ackCode}${ackText ? ` — ${ackText}` : ''}` });
    router.refresh();
  }
  return (
    <>
      {reprocessable && (
        <button type="button" className="button secondary small" disabled={pending} onClick={() => void run()}>
          {pending ? 'Processing…' : 'Process again'}
        </button>
      )}
      {outcome && (
        <span role="status" data-testid={`reprocess-${messageId}`} className={outcome.ok ? styles.ok : styles.bad} style={{ display: 'block', marginTop: '0.3rem' }}>
          {outcome.words}
        </span>
      )}
    </>
  );
}

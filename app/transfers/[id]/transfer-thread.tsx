'use client';
// Ask: the thread between the sending and the receiving team (POST /api/transfers/{id}/messages).
// The new message comes back with the page, rendered again on transfer:changed.
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { useHydrated } from '../../_lib/use-hydrated';
import { callApi } from '../../admin/_components/api-call';
import { LocalTime } from '../../referrals/_case/case-time';
import styles from '../_parts/transfers.module.css';

interface Message {
  id: string;
  author: string;
  mine: boolean;
  body: string;
  at: string;
}

export function TransferThread({ noticeId, messages, mayWrite }: { noticeId: string; messages: Message[]; mayWrite: boolean }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!text.trim()) {
      setError('Write the message');
      return;
    }
    setBusy(true);
    setError('');
    const result = await callApi('POST', `/api/transfers/${encodeURIComponent(noticeId)}/messages`, { body: text });
    setBusy(false);
    if (result.ok) {
      setText('');
      router.refresh();
    } else {
      setError(result.data.fields?.body ?? result.data.message ?? `The server answered ${result.status}.`);
    }
  };

  return (
    <>
      {messages.length === 0 ? (
        <p className={styles.hint}>No message yet. Ask the other team anything: the answer appears here.</p>
      ) : (
        <ol className={styles.thread} data-testid="transfer-thread">
          {messages.map((message) => (
            <li key={message.id} className={styles.message} data-mine={message.mine}>
              <header>
                <strong>{message.author}</strong> <LocalTime iso={message.at} />
              </header>
              <p>{message.body}</p>
            </li>
          ))}
        </ol>
      )}
      {mayWrite && (
        <form className={styles.form} method="post" onSubmit={(event) => void submit(event)}>
          <label htmlFor="transfer-message" className="visually-hidden">
            Message
          </label>
          <textarea id="transfer-message" value={text} maxLength={4000} placeholder="Ask the other team…" onChange={(event) => (setText(event.target.value), setError(''))} aria-invalid={error ? true : undefined} />
          {error && (
            <p className={styles.fieldError} role="alert">
              {error}
            </p>
          )}
          <div className={styles.actions}>
            <button type="submit" className="button secondary" disabled={!hydrated || busy}>
              {busy ? 'Sending…' : 'Send message'}
            </button>
          </div>
        </form>
      )}
    </>
  );
}

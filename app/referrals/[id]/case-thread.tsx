'use client';
// A message on the case's thread (POST /api/referrals/{id}/messages), with
// files: the message first, then each file with its messageId (one upload
// each, progress shown). A refusal says why; nothing fails silently.
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { useHydrated } from '../../_lib/use-hydrated';
import { callApi } from '../../admin/_components/api-call';
import styles from '../_case/case.module.css';
import { ATTACHMENT_ACCEPT, attachmentProblem, uploadAttachment } from '../_case/upload-attachment';

export function CaseThread({ referralId }: { referralId: string }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [body, setBody] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [inputKey, setInputKey] = useState(0);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const problems = files.map(attachmentProblem).filter(Boolean);
    if (!body.trim()) return setError('Write your message');
    if (problems.length) return setError(problems.join('; '));
    setBusy(true);
    setError(null);
    const result = await callApi<{ id: string }>('POST', `/api/referrals/${encodeURIComponent(referralId)}/messages`, { body });
    if (!result.ok) {
      setBusy(false);
      setError(result.data.fields?.body ?? result.data.message ?? 'The message was not sent.');
      return;
    }
    const failures: string[] = [];
    for (const file of files) {
      const outcome = await uploadAttachment(referralId, file, (fraction) => setProgress(`${file.name}: ${Math.round(fraction * 100)} %`), result.data.id);
      if (!outcome.ok) failures.push(`${file.name}: ${outcome.message}`);
    }
    setProgress(null);
    setBusy(false);
    setBody('');
    setFiles([]);
    setInputKey((key) => key + 1);
    if (failures.length) setError(`The message was sent, but not every file: ${failures.join('; ')}`);
    router.refresh();
  };

  return (
    <form method="post" onSubmit={submit} aria-label="Write a message">
      <label htmlFor="case-message" className="visually-hidden">
        Message
      </label>
      <textarea id="case-message" name="body" maxLength={8000} placeholder="Write a message…" value={body} onChange={(event) => setBody(event.target.value)} aria-invalid={error ? true : undefined} />
      <div className={styles.buttons}>
        <label htmlFor="case-message-files" className={styles.hint}>
          Attach files
        </label>
        <input key={inputKey} id="case-message-files" type="file" multiple accept={ATTACHMENT_ACCEPT} onChange={(event) => setFiles([...(event.target.files ?? [])])} style={{ maxWidth: '100%' }} />
        <button type="submit" className="button" disabled={!hydrated || busy}>
          {busy ? 'Sending…' : 'Send message'}
        </button>
      </div>
      {progress && (
        <p className={styles.hint} aria-live="polite">
          {progress}
        </p>
      )}
      {error && (
        <p className={styles.fieldError} role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

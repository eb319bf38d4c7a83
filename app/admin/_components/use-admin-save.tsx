'use client';
// The one way the admin forms save: send the body, show "Saving…" on the button, the
// server's message (and one per field) on failure, "Saved." (or the form's words) and a
// refresh on success. Used by fields-form, turnaround-form, transfer-settings-form and
// consent-rules-form; SaveStatus shows the outcome above the form.
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { callApi, type ApiResult } from './api-call';

export function useAdminSave() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  function clear(): void {
    setError(undefined);
    setDone(undefined);
    setFieldErrors({});
  }

  /** Sends; the answer's data on success, null on failure (the messages are shown). */
  async function save<T = Record<string, unknown>>(method: string, url: string, body: unknown, failure: string): Promise<ApiResult<T>['data'] | null> {
    clear();
    setPending(true);
    const result = await callApi<T>(method, url, body);
    setPending(false);
    if (!result.ok) {
      setError(result.data.message ?? failure);
      setFieldErrors(result.data.fields ?? {});
      return null;
    }
    return result.data;
  }

  /** After a success: the words above the form, and the page's server data again */
  function saved(words = 'Saved.'): void {
    setDone(words);
    router.refresh();
  }

  /** The form changed nothing: nothing is sent */
  function nothingChanged(): void {
    clear();
    setDone('Nothing changed.');
  }

  return { pending, error, done, fieldErrors, save, saved, nothingChanged, setError, router };
}

export function SaveStatus({ error, done }: { error?: string; done?: string }) {
  return (
    <>
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      {done && (
        <p className="alert info" role="status">
          {done}
        </p>
      )}
    </>
  );
}

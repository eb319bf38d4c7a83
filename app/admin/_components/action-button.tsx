'use client';
// One administration action behind one button (disable, enable, remove…),
// with an optional confirmation, then a refresh; the error beside it.
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { callApi } from './api-call';

export function ActionButton({ method, url, body, label, confirm, failure = 'This could not be done.' }: { method: 'PATCH' | 'DELETE' | 'POST'; url: string; body?: unknown; label: string; confirm?: string; failure?: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();
  return (
    <>
      <button
        type="button"
        className="button secondary small"
        disabled={pending}
        onClick={async () => {
          if (confirm && !window.confirm(confirm)) return;
          setPending(true);
          setError(undefined);
          const result = await callApi(method, url, body);
          setPending(false);
          if (result.ok) router.refresh();
          else setError(result.data.message ?? failure);
        }}
      >
        {label}
      </button>
      {error && (
        <span role="alert" style={{ color: 'var(--bad)', marginLeft: '0.5rem' }}>
          {error}
        </span>
      )}
    </>
  );
}

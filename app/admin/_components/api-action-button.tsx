'use client';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { callApi } from './api-call';

/** A small button that calls one admin API (after an optional confirmation), then refreshes the page or shows why not. */
export function ApiActionButton({ label, method, url, confirm, failure }: { label: string; method: string; url: string; confirm?: string; failure: string }) {
  const router = useRouter();
  const [error, setError] = useState<string>();
  return (
    <>
      <button
        type="button"
        className="button secondary small"
        onClick={async () => {
          if (confirm && !window.confirm(confirm)) return;
          const result = await callApi(method, url);
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

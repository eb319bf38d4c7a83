'use client';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { callApi } from './api-call';

export function RetryJobButton({ facilityId, jobId }: { facilityId: string; jobId: string }) {
  const router = useRouter();
  const [error, setError] = useState<string>();
  return (
    <>
      <button
        type="button"
        className="button secondary small"
        onClick={async () => {
          const result = await callApi('POST', `/api/admin/facilities/${facilityId}/jobs/${jobId}/retry`);
          if (result.ok) router.refresh();
          else setError(result.data.message ?? 'The job could not be retried.');
        }}
      >
        Retry
      </button>
      {error && (
        <span role="alert" style={{ color: 'var(--bad)', marginLeft: '0.5rem' }}>
          {error}
        </span>
      )}
    </>
  );
}

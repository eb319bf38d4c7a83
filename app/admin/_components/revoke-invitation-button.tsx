'use client';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { callApi } from './api-call';

export function RevokeInvitationButton({ facilityId, invitation }: { facilityId: string; invitation: { id: string; email: string } }) {
  const router = useRouter();
  const [error, setError] = useState<string>();
  return (
    <>
      <button
        type="button"
        className="button secondary small"
        onClick={async () => {
          if (!window.confirm(`Withdraw the invitation of ${invitation.email}? Its link stops working.`)) return;
          const result = await callApi('DELETE', `/api/admin/facilities/${facilityId}/invitations/${invitation.id}`);
          if (result.ok) router.refresh();
          else setError(result.data.message ?? 'The invitation could not be withdrawn.');
        }}
      >
        Withdraw
      </button>
      {error && (
        <span role="alert" style={{ color: 'var(--bad)', marginLeft: '0.5rem' }}>
          {error}
        </span>
      )}
    </>
  );
}

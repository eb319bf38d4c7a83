'use client';
import { ActionButton } from './action-button';

export function RevokeInvitationButton({ facilityId, invitation }: { facilityId: string; invitation: { id: string; email: string } }) {
  return (
    <ActionButton
      method="DELETE"
      url={`/api/admin/facilities/${facilityId}/invitations/${invitation.id}`}
      label="Withdraw"
      confirm={`Withdraw the invitation of ${invitation.email}? Its link stops working.`}
    />
  );
}

'use client';
import { ApiActionButton } from './api-action-button';

export function RevokeInvitationButton({ facilityId, invitation }: { facilityId: string; invitation: { id: string; email: string } }) {
  return (
    <ApiActionButton
      label="Withdraw"
      method="DELETE"
      url={`/api/admin/facilities/${facilityId}/invitations/${invitation.id}`}
      confirm={`Withdraw the invitation of ${invitation.email}? Its link stops working.`}
      failure="The invitation could not be withdrawn."
    />
  );
}

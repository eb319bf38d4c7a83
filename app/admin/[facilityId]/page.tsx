import type { Metadata } from 'next';
import { getRuntime } from '../../../lib/runtime';
import { viewReportSigningCertificate } from '../../../lib/facilities/view-report-signing-certificate';
import { viewFacilityMembers } from '../../../lib/users/view-facility-members';
import { SecondFactorPolicyForm } from '../_components/second-factor-policy-form';
import { SigningCertificateForm } from '../_components/signing-certificate-form';
import { AdminShell } from '../_components/admin-shell';
import { ROLE_LABELS, formatDateTime } from '../_components/format';
import { InviteForm } from '../_components/invite-form';
import { MemberActions } from '../_components/member-actions';
import { RevokeInvitationButton } from '../_components/revoke-invitation-button';
import { requireFacilityAdmin } from '../_lib/require-facility-admin';
import styles from '../admin.module.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Users · Administration' };

export default async function MembersPage({ params }: { params: Promise<{ facilityId: string }> }) {
  const { facilityId } = await params;
  const { user, facility } = await requireFacilityAdmin(facilityId, `/admin/${facilityId}`);
  const { members, invitations, secondFactorPolicy } = await viewFacilityMembers(getRuntime(), { userId: user.id }, facilityId);
  const signingCertificate = await viewReportSigningCertificate(getRuntime(), { userId: user.id }, facilityId);
  return (
    <AdminShell user={user} facility={facility} current="members">
      <section className={styles.section} aria-labelledby="invite-heading">
        <h2 id="invite-heading">Invite someone</h2>
        <p className={styles.muted}>
          Creates a one-time link for them to choose their name and password. Telepacs sends no email: copy the link to them yourself.
        </p>
        <InviteForm facilityId={facilityId} />
      </section>

      <section className={styles.section} aria-labelledby="second-factor-heading">
        <h2 id="second-factor-heading">Second factor</h2>
        <p className={styles.muted}>
          Who must sign in with an authenticator app (TOTP) as well as the password. A member it applies to who has none set up is asked to set one up
          right after the password, and can open nothing else until then. Their scripts use API tokens: HTTP Basic cannot carry a code.
        </p>
        <SecondFactorPolicyForm facilityId={facilityId} policy={secondFactorPolicy} />
      </section>

      <section className={styles.section} aria-labelledby="signing-certificate-heading">
        <h2 id="signing-certificate-heading">Report signing certificate</h2>
        <p className={styles.muted}>
          Signed report PDFs carry a digital signature made with this certificate, so anyone holding the file can check it was not changed. Replace the
          self-signed one with a certificate your hospital&apos;s CA issued for signing.
        </p>
        <SigningCertificateForm facilityId={facilityId} certificate={signingCertificate} />
      </section>

      <section className={styles.section} aria-labelledby="members-heading">
        <h2 id="members-heading">Users ({members.length})</h2>
        <table className={styles.table}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Status</th>
              <th scope="col">Last seen</th>
              <th scope="col">Role and actions</th>
            </tr>
          </thead>
          <tbody>
            {members.map((member) => (
              <tr key={member.id} className={member.disabled ? styles.disabledRow : undefined} data-email={member.email}>
                <td data-label="Name">{member.name}</td>
                <td data-label="Email">{member.email}</td>
                <td data-label="Status">
                  {member.disabled ? <span className={styles.bad}>Disabled</span> : <span className={styles.ok}>Active</span>}
                  {member.secondFactor ? (
                    ' · second factor on'
                  ) : secondFactorPolicy === 'EVERYONE' || (secondFactorPolicy === 'ADMINS' && member.roles.includes('ADMIN')) ? (
                    // What the policy means for them, where the administrator looks for it
                    <span className={styles.bad}> · second factor required, not set up yet</span>
                  ) : (
                    ''
                  )}
                </td>
                <td data-label="Last seen">{member.lastSeenAt ? formatDateTime(member.lastSeenAt) : 'Never'}</td>
                <td data-label="Role and actions">
                  <MemberActions
                    facilityId={facilityId}
                    member={{
                      id: member.id,
                      name: member.name,
                      email: member.email,
                      role: member.roles.length === 1 ? member.roles[0] : member.roles.map((role) => ROLE_LABELS[role] ?? role).join(' + '),
                      disabled: member.disabled,
                      secondFactor: member.secondFactor,
                      isSelf: member.id === user.id,
                    }}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className={styles.section} aria-labelledby="invitations-heading">
        <h2 id="invitations-heading">Invitations waiting</h2>
        {invitations.length === 0 ? (
          <p className={styles.empty}>No invitation is waiting to be accepted.</p>
        ) : (
          <table className={styles.table}>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {invitations.map((invitation) => (
                <tr key={invitation.id}>
                  <td data-label="Email">{invitation.email}</td>
                  <td data-label="Role">{ROLE_LABELS[invitation.role] ?? invitation.role}</td>
                  <td data-label="Created">{formatDateTime(invitation.createdAt)}</td>
                  <td data-label="Expires">{formatDateTime(invitation.expiresAt)}</td>
                  <td data-label="Actions">
                    <RevokeInvitationButton facilityId={facilityId} invitation={{ id: invitation.id, email: invitation.email }} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </AdminShell>
  );
}

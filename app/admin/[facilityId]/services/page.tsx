import type { Metadata } from 'next';
import { getRuntime } from '../../../../lib/runtime';
import { formatTurnaround } from '../../../../lib/referrals/due-time';
import { listServices } from '../../../../lib/services/list-services';
import { requireSignedInUser } from '../../../_lib/current-user';
import { ActionButton } from '../../_components/action-button';
import { AdminShell } from '../../_components/admin-shell';
import { FieldsForm } from '../../_components/fields-form';
import { NodeShell } from '../../_components/node-shell';
import { TransferSettingsForm } from '../../_components/transfer-settings-form';
import { TurnaroundForm } from '../../_components/turnaround-form';
import { orNotFound } from '../../_lib/or-not-found';
import styles from '../../admin.module.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Services · Administration' };

/** A facility's services and their members: for its administrators and the node administrators (404 for everyone else). */
export default async function ServicesPage({ params }: { params: Promise<{ facilityId: string }> }) {
  const { facilityId } = await params;
  const user = await requireSignedInUser(`/admin/${facilityId}/services`);
  const { facility, facilityMembers, services } = await orNotFound(listServices(getRuntime(), user.id, facilityId));
  const base = `/api/admin/facilities/${facility.id}/services`;
  const content = (
    <>
      <section className={styles.section} aria-labelledby="services-heading">
        <h2 id="services-heading">Services ({services.length})</h2>
        <p className={styles.muted}>Departments and expert pools of this facility, e.g. Neuroradiology or Stroke unit. Referrals and emergency notices will be addressed to them; each service's turnaround sets when a second opinion sent to it is due.</p>
        {services.length === 0 && <p className={styles.empty}>No service yet.</p>}
        {services.map((service) => {
          const candidates = facilityMembers.filter((member) => !service.members.some((inService) => inService.userId === member.userId));
          return (
            <article key={service.id} className="card" style={{ marginBottom: '1rem' }} aria-labelledby={`service-${service.id}`} data-service={service.name}>
              <div className={styles.sectionHead}>
                <h3 id={`service-${service.id}`}>
                  {service.name} {service.code && <small className={styles.muted}>({service.code})</small>}
                  {service.disabledAt && <span className={styles.bad}> · disabled</span>}
                </h3>
                <ActionButton method="PATCH" url={`${base}/${service.id}`} body={{ disabled: !service.disabledAt }} label={service.disabledAt ? 'Enable' : 'Disable'} />
              </div>
              {service.description && <p>{service.description}</p>}
              <p data-testid="turnaround">
                Turnaround: stat {formatTurnaround(service.turnaroundStatMinutes)} · urgent {formatTurnaround(service.turnaroundUrgentMinutes)} · routine{' '}
                {formatTurnaround(service.turnaroundRoutineMinutes)}
              </p>
              <details>
                <summary>Change turnaround</summary>
                <p className={styles.muted}>How soon this service answers a second opinion of each priority; a case is due that long after it is sent, nights and weekends included.</p>
                <TurnaroundForm
                  id={`turnaround-${service.id}`}
                  url={`${base}/${service.id}`}
                  turnaround={{
                    turnaroundStatMinutes: service.turnaroundStatMinutes,
                    turnaroundUrgentMinutes: service.turnaroundUrgentMinutes,
                    turnaroundRoutineMinutes: service.turnaroundRoutineMinutes,
                  }}
                />
              </details>
              <p data-testid="transfer-settings">
                Emergency transfers: unacknowledged alarm escalates after {service.transferEscalationMinutes} min · images readable {service.transferAccessHours} h after arrival
              </p>
              <details>
                <summary>Change emergency transfer settings</summary>
                <p className={styles.muted}>
                  Every member of the service hears a transfer notice's alarm. If nobody acknowledges it in time, the members on call and the facility's administrators are told too (and the
                  emergency webhook, if one is set). The notice's images stay readable by the service until the patient's arrival and this long after.
                </p>
                <TransferSettingsForm
                  id={`transfer-${service.id}`}
                  url={`${base}/${service.id}`}
                  settings={{ transferEscalationMinutes: service.transferEscalationMinutes, transferAccessHours: service.transferAccessHours }}
                />
              </details>
              {service.members.length === 0 ? (
                <p className={styles.muted}>No members yet.</p>
              ) : (
                <ul className="list">
                  {service.members.map((member) => (
                    <li key={member.userId} className={styles.actions} data-member={member.email} data-on-call={member.onCall}>
                      <span>
                        {member.name} ({member.email}){member.onCall && <strong> · on call</strong>}
                      </span>
                      <ActionButton method="PATCH" url={`${base}/${service.id}/members/${member.userId}`} body={{ onCall: !member.onCall }} label={member.onCall ? 'Take off call' : 'Put on call'} />
                      <ActionButton method="DELETE" url={`${base}/${service.id}/members/${member.userId}`} label="Remove" />
                    </li>
                  ))}
                </ul>
              )}
              {candidates.length > 0 && (
                <FieldsForm
                  id={`add-${service.id}`}
                  method="POST"
                  url={`${base}/${service.id}/members`}
                  submitLabel="Add to service"
                  fields={[{ name: 'userId', label: 'Member of the facility', options: candidates.map((member) => ({ value: member.userId, label: `${member.name} (${member.email})` })) }]}
                />
              )}
            </article>
          );
        })}
      </section>
      <section className={styles.section} aria-labelledby="new-service-heading">
        <h2 id="new-service-heading">Create a service</h2>
        <FieldsForm
          id="new-service"
          method="POST"
          url={base}
          submitLabel="Create service"
          fields={[
            { name: 'name', label: 'Name', required: true, maxLength: 120 },
            { name: 'code', label: 'Code (optional)', maxLength: 16 },
            { name: 'description', label: 'Description (optional)', maxLength: 500 },
          ]}
        />
      </section>
    </>
  );
  // The facility's own administrators see it as a tab of their pages; a node
  // administrator who is not one reaches it from the node's pages.
  const administersIt = user.memberships.some((membership) => membership.facilityId === facility.id && membership.role === 'ADMIN');
  return administersIt ? (
    <AdminShell user={user} facility={facility} current="services">
      {content}
    </AdminShell>
  ) : (
    <NodeShell
      user={user}
      title={`${facility.name} · Services`}
      trail={[
        { href: '/admin/node', label: 'Node administration' },
        { href: `/admin/node/${facility.id}`, label: facility.name },
      ]}
    >
      {content}
    </NodeShell>
  );
}

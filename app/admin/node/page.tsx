import type { Metadata } from 'next';
import Link from 'next/link';
import { listFacilities } from '../../../lib/facilities/list-facilities';
import { getRuntime } from '../../../lib/runtime';
import { listNodeAdministrators } from '../../../lib/users/set-node-admin';
import { requireSignedInUser } from '../../_lib/current-user';
import { TableHead } from '../../_components/table-head';
import { ActionButton } from '../_components/action-button';
import { FieldsForm } from '../_components/fields-form';
import { formatDateTime } from '../_components/format';
import { NodeShell } from '../_components/node-shell';
import { orNotFound } from '../_lib/or-not-found';
import styles from '../admin.module.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Facilities · Node administration' };

/** The node's facilities and node administrators, for its node administrators (404 for everyone else). */
export default async function NodeAdministrationPage() {
  const user = await requireSignedInUser('/admin/node');
  const facilities = await orNotFound(listFacilities(getRuntime(), user.id));
  const nodeAdmins = await listNodeAdministrators(getRuntime(), user.id);
  return (
    <NodeShell user={user} title="Node administration" trail={[{ href: '/admin', label: 'Administration' }]} current="facilities">
      <section className={styles.section} aria-labelledby="facilities-heading">
        <h2 id="facilities-heading">Facilities ({facilities.length})</h2>
        <table className={styles.table}>
          <TableHead columns={['Facility', 'Code', 'Status', 'Users', 'Services']} />
          <tbody>
            {facilities.map((facility) => (
              <tr key={facility.id} className={facility.disabledAt ? styles.disabledRow : undefined} data-code={facility.code}>
                <td data-label="Facility">
                  <Link href={`/admin/node/${facility.id}`}>{facility.name}</Link>
                </td>
                <td data-label="Code">{facility.code}</td>
                <td data-label="Status">{facility.disabledAt ? <span className={styles.bad}>Disabled since {formatDateTime(facility.disabledAt)}</span> : <span className={styles.ok}>Active</span>}</td>
                <td data-label="Users">{facility.members}</td>
                <td data-label="Services">{facility.services}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className={styles.section} aria-labelledby="create-facility-heading">
        <h2 id="create-facility-heading">Create a facility</h2>
        <p className={styles.muted}>It starts with no users: invite its first administrator from its page.</p>
        <FieldsForm
          id="new-facility"
          method="POST"
          url="/api/admin/node/facilities"
          submitLabel="Create facility"
          goTo="/admin/node/:id"
          fields={[
            { name: 'name', label: 'Name', required: true, maxLength: 120 },
            { name: 'code', label: 'Code', required: true, maxLength: 16, hint: 'Short, e.g. VALLEY. Cannot be changed later.' },
            { name: 'address', label: 'Address', maxLength: 300 },
            { name: 'phone', label: 'Phone', type: 'tel', maxLength: 40 },
          ]}
        />
      </section>

      <section className={styles.section} aria-labelledby="node-admins-heading">
        <h2 id="node-admins-heading">Node administrators</h2>
        <p className={styles.muted}>They create, edit and disable facilities and manage every facility&apos;s services. There is always at least one.</p>
        <ul className="list">
          {nodeAdmins.map((admin) => (
            <li key={admin.userId} className={styles.actions}>
              {admin.name} ({admin.email})
              {nodeAdmins.length > 1 && (
                <ActionButton method="DELETE" url={`/api/admin/node/node-admins/${admin.userId}`} label="Remove" confirm={`${admin.email} will no longer administer the node. Continue?`} />
              )}
            </li>
          ))}
        </ul>
        <FieldsForm
          id="node-admin"
          method="POST"
          url="/api/admin/node/node-admins"
          submitLabel="Make node administrator"
          fields={[{ name: 'email', label: 'Email of an existing account', type: 'email', required: true, maxLength: 254 }]}
        />
      </section>
    </NodeShell>
  );
}

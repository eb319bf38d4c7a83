import Link from 'next/link';
import type { ReactNode } from 'react';
import type { SignedInUser } from '../../../lib/auth';
import { PortalHeader } from '../../_components/portal-header';
import styles from '../admin.module.css';

export type AdminTab = 'members' | 'services' | 'report-templates' | 'consent' | 'dicom-peers' | 'hl7' | 'storage' | 'jobs' | 'emergency-access';

const TABS: { tab: AdminTab; label: string; path: string }[] = [
  { tab: 'members', label: 'Users', path: '' },
  { tab: 'services', label: 'Services', path: '/services' },
  { tab: 'report-templates', label: 'Report templates', path: '/report-templates' },
  { tab: 'consent', label: 'Consent', path: '/consent' },
  { tab: 'dicom-peers', label: 'DICOM peers', path: '/dicom-peers' },
  { tab: 'hl7', label: 'HL7', path: '/hl7' },
  { tab: 'storage', label: 'Storage', path: '/storage' },
  { tab: 'jobs', label: 'Background jobs', path: '/jobs' },
  { tab: 'emergency-access', label: 'Emergency access', path: '/emergency-access' },
];

/** A privacy officer who is not an ADMIN of the facility sees its emergency-access review queue only (lib/policy/override-access.ts). */
const PRIVACY_OFFICER_TABS: readonly AdminTab[] = ['emergency-access'];

/** Header, facility title and the tabs of one facility's administration. */
export function AdminShell({ user, facility, current, children }: { user: SignedInUser; facility: { id: string; name: string; code: string }; current: AdminTab; children: ReactNode }) {
  // Links only: every page behind them decides access again in lib/policy
  const administers = user.memberships.some((membership) => membership.facilityId === facility.id && membership.role === 'ADMIN');
  const tabs = administers ? TABS : TABS.filter((tab) => PRIVACY_OFFICER_TABS.includes(tab.tab));
  return (
    <>
      <PortalHeader user={user} />
      <main id="main">
        <p className={styles.muted} style={{ margin: 0 }}>
          <Link href="/admin">Administration</Link>
          {user.nodeAdmin && (
            <>
              {' · '}
              <Link href="/admin/node">Node administration</Link>
            </>
          )}
          {' · '}
          <Link href="/account/api-tokens">Your API tokens</Link>
        </p>
        <h1>
          {facility.name} <small className={styles.muted}>({facility.code})</small>
        </h1>
        <nav className={styles.tabs} aria-label="Administration">
          {tabs.map((tab) => (
            <Link key={tab.tab} href={`/admin/${facility.id}${tab.path}`} aria-current={tab.tab === current ? 'page' : undefined}>
              {tab.label}
            </Link>
          ))}
        </nav>
        {children}
      </main>
    </>
  );
}

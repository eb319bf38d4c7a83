import Link from 'next/link';
import type { ReactNode } from 'react';
import type { SignedInUser } from '../../../lib/auth';
import { PortalHeader } from '../../_components/portal-header';
import styles from '../admin.module.css';

export type NodeTab = 'facilities' | 'federation';

const NODE_TABS: { tab: NodeTab; label: string; href: string }[] = [
  { tab: 'facilities', label: 'Facilities', href: '/admin/node' },
  { tab: 'federation', label: 'Other nodes', href: '/admin/node/federation' },
];

/** Header, breadcrumb and title of the node administration's pages; its tabs on the node's own pages (`current`). */
export function NodeShell({ user, title, trail, current, children }: { user: SignedInUser; title: ReactNode; trail: { href: string; label: string }[]; current?: NodeTab; children: ReactNode }) {
  return (
    <>
      <PortalHeader user={user} />
      <main id="main">
        <p className={styles.muted} style={{ margin: 0 }}>
          {trail.map((step, index) => (
            <span key={step.href}>
              {index > 0 && ' · '}
              <Link href={step.href}>{step.label}</Link>
            </span>
          ))}
        </p>
        <h1>{title}</h1>
        {current && (
          <nav className={styles.tabs} aria-label="Node administration">
            {NODE_TABS.map((tab) => (
              <Link key={tab.tab} href={tab.href} aria-current={tab.tab === current ? 'page' : undefined}>
                {tab.label}
              </Link>
            ))}
          </nav>
        )}
        {children}
      </main>
    </>
  );
}

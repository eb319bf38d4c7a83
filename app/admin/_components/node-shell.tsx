import Link from 'next/link';
import type { ReactNode } from 'react';
import type { SignedInUser } from '../../../lib/auth';
import { PortalHeader } from '../../_components/portal-header';
import styles from '../admin.module.css';

/** Header, breadcrumb and title of the node administration's pages. */
export function NodeShell({ user, title, trail, children }: { user: SignedInUser; title: ReactNode; trail: { href: string; label: string }[]; children: ReactNode }) {
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
        {children}
      </main>
    </>
  );
}

import type { ReactNode } from 'react';

/** The card of the pages met before the portal itself: sign-in and the one-time links (invitation, reset, guest). */
export function BrandCard({ children }: { children: ReactNode }) {
  return (
    <main id="main" className="sign-in">
      <div className="card">
        <h1>
          Tele<span style={{ color: 'var(--accent)' }}>pacs</span>
        </h1>
        {children}
      </div>
    </main>
  );
}

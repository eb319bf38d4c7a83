import type { Metadata } from 'next';
import { Suspense, type ReactNode } from 'react';
import { NavigationIndicator } from './_components/navigation-indicator';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Telepacs', template: '%s · Telepacs' },
  description: 'Regional teleconsultation portal and image archive',
  // Patient data: keep every page out of search engines.
  robots: { index: false, follow: false },
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <Suspense fallback={null}>
          <NavigationIndicator />
        </Suspense>
        {children}
      </body>
    </html>
  );
}

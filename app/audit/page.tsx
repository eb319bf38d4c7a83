import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { resolveAuditQuery, auditQueryString } from '../../lib/audit/audit-query';
import { clientAddressFromNormalizedHeaders } from '../../lib/auth';
import { isPolicyError } from '../../lib/policy';
import { getRuntime } from '../../lib/runtime';
import { PortalHeader } from '../_components/portal-header';
import { requireSignedInUser } from '../_lib/current-user';
import { AuditFilterForm } from './audit-filter-form';
import { AuditResults } from './audit-results';
import { LoadingResults } from './loading-results';
import styles from './audit.module.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Audit' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function AuditPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  // A bookmarked, filtered view survives the sign-in.
  const asked = new URLSearchParams(Object.entries(params).flatMap(([name, value]) => (typeof value === 'string' ? [[name, value]] : [])));
  const user = await requireSignedInUser(asked.size ? `/audit?${asked}` : '/audit');
  const runtime = getRuntime();
  const resolved = await resolveAuditQuery(runtime, user.id, params).catch((error: unknown) => {
    if (isPolicyError(error)) notFound(); // not an administrator: the page does not exist for them
    throw error;
  });
  const values = resolved.ok ? resolved.query.values : resolved.values;
  const filterString = auditQueryString(values);
  const sourceIp = clientAddressFromNormalizedHeaders(await headers()).ip;

  return (
    <>
      <PortalHeader user={user} />
      <main id="main" className={styles.main}>
        <h1>Audit</h1>
        <p className="lead">Who opened which patient&apos;s data, when and from where. Times are in UTC.</p>
        <AuditFilterForm values={values} errors={resolved.ok ? [] : resolved.errors} facilities={resolved.administered} />
        {resolved.ok ? (
          // Keyed by the filters: a new search shows the loading state, not the old rows.
          <Suspense key={`${filterString}#${resolved.query.page}`} fallback={<LoadingResults />}>
            <AuditResults query={resolved.query} facilities={resolved.administered} viewer={user} sourceIp={sourceIp} />
          </Suspense>
        ) : null}
      </main>
    </>
  );
}

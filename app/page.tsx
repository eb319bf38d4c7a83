// The worklist: what a clinician opens every day. Server-rendered from the
// index (lib/search/worklist.ts); the filters live in the URL.
import Link from 'next/link';
import { headers } from 'next/headers';
import { clientAddressFromNormalizedHeaders } from '../lib/auth';
import { listAwaitingSignature } from '../lib/reports/list-awaiting-signature';
import { getRuntime } from '../lib/runtime';
import { isSearchInputError, parseWorklistRequest, WORKLIST_FIELDS } from '../lib/search/worklist';
import { viewWorklist, type ViewedWorklist } from '../lib/search/view-worklist';
import { PortalHeader } from './_components/portal-header';
import { AwaitingSignatureList } from './_components/reports/awaiting-signature';
import { ReportEventsBridge } from './_components/reports/report-events-bridge';
import { LiveUpdates } from './_components/worklist/live-updates';
import { WorklistForm } from './_components/worklist/worklist-form';
import { WorklistTable } from './_components/worklist/worklist-table';
import { ScheduledOrdersSection } from './_components/worklist/scheduled-orders';
import styles from './_components/worklist/worklist.module.css';
import { requireSignedInUser } from './_lib/current-user';
import { auditPageView } from './_lib/page-audit';

export const dynamic = 'force-dynamic';

type SearchParams = Record<string, string | string[] | undefined>;

function toUrlParams(searchParams: SearchParams): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(searchParams)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first) params.set(key, first);
  }
  return params;
}

export default async function WorklistPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = toUrlParams(await searchParams);
  const query = params.toString();
  const user = await requireSignedInUser(query ? `/?${query}` : '/');
  const { request, errors } = parseWorklistRequest(params);
  const facilities = user.memberships
    .filter((membership, index, all) => all.findIndex((other) => other.facilityId === membership.facilityId) === index)
    .map((membership) => ({ code: membership.facilityCode, name: membership.facilityName }));

  // Members of a study's facility may send it for a second opinion: the study page's "may start a
  // teleconsultation" (lib/search/view-study.ts isMemberOf); studies read through a grant get no link
  const shareFrom = [...new Set(user.memberships.map((membership) => membership.facilityId))];
  let result: ViewedWorklist | null = null;
  let searchError: string | null = null;
  if (Object.keys(errors).length === 0) {
    try {
      result = await viewWorklist(getRuntime(), user, request);
    } catch (error) {
      if (!isSearchInputError(error)) throw error;
      searchError = error.message;
    }
  }
  const client = clientAddressFromNormalizedHeaders(await headers());
  const awaitingSignature = await listAwaitingSignature(getRuntime(), { userId: user.id, email: user.email, ip: client.ip });
  const filtered = WORKLIST_FIELDS.some((field) => request.filters[field]);
  if (result) {
    // Under the facility the user acts for (page-audit.ts); the MRN searched
    // for, so that "who looked for this patient" finds worklist searches too.
    await auditPageView(user, {
      action: 'portal.worklist',
      outcome: 'SUCCESS',
      resource: 'worklist',
      ...(request.filters.mrn && !/[*?]/.test(request.filters.mrn) ? { patientId: request.filters.mrn } : {}),
      details: { filters: request.filters, sort: request.sort, page: result.page, shown: result.rows.length, total: result.total, scheduled: result.scheduled?.total },
    });
  }

  return (
    <>
      <PortalHeader user={user} />
      <main id="main" className="wide">
        <div className={styles.summary}>
          <h1>Worklist</h1>
          {result && (
            <p className="lead" aria-live="polite">
              {result.total === 1 ? '1 study' : `${result.total} studies`}
              {filtered ? ' match' : ''}
            </p>
          )}
        </div>
        {params.get('notice') && (
          <div className="alert info" role="status">
            {params.get('notice')}
          </div>
        )}
        <LiveUpdates />
        <ReportEventsBridge />
        <AwaitingSignatureList reports={awaitingSignature} className={styles.awaiting} />
        <WorklistForm filters={request.filters} errors={errors} request={request} facilities={facilities} />
        {Object.keys(errors).length > 0 && (
          <div className="alert error" role="alert">
            Please correct the highlighted fields.
          </div>
        )}
        {searchError && (
          <div className="alert error" role="alert">
            {searchError}
          </div>
        )}
        {result?.scheduled && result.page === 1 && <ScheduledOrdersSection scheduled={result.scheduled} filtered={filtered} />}
        {result && result.total === 0 && (
          <div className={styles.empty}>
            {filtered ? (
              <p data-testid="empty-hint">
                No study matches these filters. Try fewer filters or part of a name; <code>*</code> stands for any characters and <code>?</code> for
                one (<code>kel*</code> finds Keller and Kelly, <code>MRN-44*</code> every MRN starting so). The MRN box also finds part of a number.
              </p>
            ) : facilities.length === 0 ? (
              <p>You are not a member of any active facility. Ask an administrator to add you.</p>
            ) : (
              <>
                <p>No studies yet. Modalities send them by DICOM, or bring them in from a CD or zip file.</p>
                <Link href="/upload" className="button">
                  Upload images
                </Link>
              </>
            )}
          </div>
        )}
        {result && result.total > 0 && <WorklistTable result={result} request={request} params={params} shareFrom={shareFrom} />}
      </main>
    </>
  );
}

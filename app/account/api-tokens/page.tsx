import type { Metadata } from 'next';
import { listApiTokens } from '../../../lib/auth/list-api-tokens';
import { getRuntime } from '../../../lib/runtime';
import { PortalHeader } from '../../_components/portal-header';
import { requireSignedInUser } from '../../_lib/current-user';
import { ApiTokensPanel } from './api-tokens-panel';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'API tokens' };

export default async function ApiTokensPage() {
  const user = await requireSignedInUser('/account/api-tokens');
  const tokens = await listApiTokens(getRuntime(), { userId: user.id });
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  return (
    <>
      <PortalHeader user={user} />
      <main id="main">
        <h1>API tokens</h1>
        <p className="lead">Tokens let a script or another PACS use DICOMweb as you ({user.email}), with your access. Revoke one as soon as it is not needed.</p>
        <ApiTokensPanel
          now={Date.now()}
          tokens={tokens.map((token) => ({ ...token, createdAt: token.createdAt.toISOString(), lastUsedAt: iso(token.lastUsedAt), expiresAt: iso(token.expiresAt), revokedAt: iso(token.revokedAt) }))}
        />
      </main>
    </>
  );
}

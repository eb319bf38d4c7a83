// "Other nodes": the node administrator's page for telediagnostics between nodes (issue 19).
// This node's name, address and key fingerprint (to read aloud), making a pairing code and
// pairing with one, the paired nodes with suspend/resume/unpair, and key rotation. Everything
// through lib/federation (the same operations as /api/admin/node/federation/**); 404 for
// everyone but node administrators.
import type { Metadata } from 'next';
import { nodeFederationView } from '../../../../lib/federation/peers/node-federation-view';
import type { PeerView } from '../../../../lib/federation/peers/peer-view';
import { getRuntime } from '../../../../lib/runtime';
import { requireSignedInUser } from '../../../_lib/current-user';
import { TableHead } from '../../../_components/table-head';
import { ActionButton } from '../../_components/action-button';
import { Fingerprint } from '../../_components/federation/fingerprint';
import { PairNodeForm } from '../../_components/federation/pair-node-form';
import { PairingCodePanel } from '../../_components/federation/pairing-code-panel';
import { RotateKeyPanel } from '../../_components/federation/rotate-key-panel';
import { formatDateTime } from '../../_components/format';
import { NodeShell } from '../../_components/node-shell';
import { orNotFound } from '../../_lib/or-not-found';
import styles from '../../admin.module.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Other nodes · Node administration' };

function statusText(peer: PeerView): string {
  if (peer.status === 'ACTIVE') return 'Active';
  const by = peer.statusBy === 'REMOTE' ? `by ${peer.name}` : 'by this node';
  return peer.status === 'SUSPENDED' ? `Suspended ${by}` : `Unpaired ${by}`;
}

function PeerActions({ peer }: { peer: PeerView }) {
  const url = `/api/admin/node/federation/peers/${peer.id}`;
  if (peer.status === 'UNPAIRED') return <span className={styles.muted}>Pair again with a new code</span>;
  return (
    <span className={styles.actions}>
      {peer.status === 'ACTIVE' && <ActionButton method="POST" url={url} body={{ action: 'suspend' }} label="Suspend" />}
      {peer.status === 'SUSPENDED' && peer.statusBy !== 'REMOTE' && <ActionButton method="POST" url={url} body={{ action: 'resume' }} label="Resume" />}
      <ActionButton method="POST" url={url} body={{ action: 'unpair' }} label="Unpair" confirm={`Unpair ${peer.name}? Nothing is exchanged with it any more; pairing again needs a new code.`} />
    </span>
  );
}

export default async function OtherNodesPage() {
  const user = await requireSignedInUser('/admin/node/federation');
  const { node, peers } = await orNotFound(nodeFederationView(getRuntime(), user.id));
  return (
    <NodeShell user={user} title="Node administration" trail={[{ href: '/admin', label: 'Administration' }]} current="federation">
      <section className={styles.section} aria-labelledby="this-node-heading">
        <h2 id="this-node-heading">This node</h2>
        <dl className={styles.facts}>
          <div>
            <dt>Name</dt>
            <dd data-testid="node-name">{node.name}</dd>
          </div>
          <div>
            <dt>Address</dt>
            <dd data-testid="node-url">{node.url}</dd>
          </div>
        </dl>
        <p className={styles.muted} style={{ margin: 0 }}>
          Key fingerprint — read it to the other node&apos;s administrator when you pair:
        </p>
        <Fingerprint value={node.fingerprint} testId="own-fingerprint" />
      </section>

      <section className={styles.section} aria-labelledby="pair-heading">
        <h2 id="pair-heading">Pair with another node</h2>
        <p className={styles.muted}>One administrator makes a code, the other pastes it; then each reads their fingerprint to the other, who compares it with what their page shows.</p>
        <div className={styles.panels}>
          <PairingCodePanel />
          <PairNodeForm />
        </div>
      </section>

      <section className={styles.section} aria-labelledby="peers-heading">
        <h2 id="peers-heading">Paired nodes ({peers.filter((peer) => peer.status !== 'UNPAIRED').length})</h2>
        {peers.length === 0 ? (
          <p className={styles.empty}>No paired node yet.</p>
        ) : (
          <table className={styles.table} data-testid="peers">
            <TableHead columns={['Node', 'Status', 'Last seen', 'Facilities', 'Key fingerprint']} actions />
            <tbody>
              {peers.map((peer) => (
                <tr key={peer.id} className={peer.status === 'UNPAIRED' ? styles.disabledRow : undefined} data-peer={peer.name}>
                  <td data-label="Node">
                    <strong>{peer.name}</strong>
                    <br />
                    <small className={styles.muted}>{peer.url}</small>
                  </td>
                  <td data-label="Status" data-testid="peer-status">
                    <span className={peer.status === 'ACTIVE' ? styles.ok : styles.bad}>{statusText(peer)}</span>
                    <br />
                    <small className={styles.muted}>since {formatDateTime(peer.statusChangedAt)}</small>
                  </td>
                  <td data-label="Last seen">{formatDateTime(peer.lastSeenAt)}</td>
                  <td data-label="Facilities" data-testid="peer-facilities">
                    {peer.facilities.length ? peer.facilities.map((facility) => facility.name).join(', ') : <span className={styles.muted}>{peer.facilitiesSyncedAt ? 'none' : 'not yet received'}</span>}
                  </td>
                  <td data-label="Key fingerprint">
                    <Fingerprint value={peer.fingerprint} small testId="peer-fingerprint" />
                  </td>
                  <td data-label="Actions">
                    <PeerActions peer={peer} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className={styles.section} aria-labelledby="rotate-heading">
        <h2 id="rotate-heading">Rotate this node&apos;s key</h2>
        <p className={styles.muted}>After a suspected leak, or as a routine. Paired nodes are told the new key at once; the previous key is still accepted for 7 days.</p>
        <RotateKeyPanel />
      </section>
    </NodeShell>
  );
}

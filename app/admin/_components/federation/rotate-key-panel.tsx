'use client';
// A new key for this node (POST /api/admin/node/federation/key-rotation), after a confirmation:
// the new fingerprint and how many paired nodes are being told (signed with the previous key,
// which still verifies for 7 days).
import { useState } from 'react';
import styles from '../../admin.module.css';
import { SaveStatus, useAdminSave } from '../use-admin-save';
import { Fingerprint } from './fingerprint';

export function RotateKeyPanel() {
  const { pending, error, save, router } = useAdminSave();
  const [rotated, setRotated] = useState<{ fingerprint: string; peersTold: number } | null>(null);
  return (
    <div data-testid="rotate-key">
      <SaveStatus error={error} />
      <button
        type="button"
        className="button secondary"
        disabled={pending}
        onClick={async () => {
          if (!window.confirm('This node will sign with a new key from now on. Paired nodes are told the new key; the old one stays valid for 7 days. Continue?')) return;
          const data = await save<{ fingerprint: string; peersTold: number }>('POST', '/api/admin/node/federation/key-rotation', undefined, 'The key could not be rotated.');
          if (data) {
            setRotated(data);
            router.refresh();
          }
        }}
      >
        {pending ? 'Rotating…' : 'Rotate this node’s key'}
      </button>
      {rotated && (
        <div className="alert info" role="status" style={{ marginTop: '1rem' }}>
          <p style={{ margin: '0 0 0.5rem' }}>
            New key in use. {rotated.peersTold === 0 ? 'No paired node to tell.' : `${rotated.peersTold} paired node${rotated.peersTold === 1 ? ' is' : 's are'} being told the new key.`} Its fingerprint:
          </p>
          <Fingerprint value={rotated.fingerprint} testId="rotated-fingerprint" />
          <p className={styles.hint} style={{ marginTop: '0.5rem' }}>Their administrators see it on their &ldquo;Other nodes&rdquo; page.</p>
        </div>
      )}
    </div>
  );
}

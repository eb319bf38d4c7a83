'use client';
// Step 1 of pairing, on the node that invites (README "Several nodes"): make a one-time code
// (POST /api/admin/node/federation/pairing-codes), copy it to the other node's administrator,
// and read them this node's key fingerprint so they can check the node they reach is this one.
import { useState } from 'react';
import styles from '../../admin.module.css';
import { formatDateTime } from '../format';
import { SaveStatus, useAdminSave } from '../use-admin-save';
import { Fingerprint } from './fingerprint';

interface PairingCode {
  code: string;
  expiresAt: string;
  node: { nodeId: string; name: string; url: string; fingerprint: string };
}

export function PairingCodePanel() {
  const { pending, error, save } = useAdminSave();
  const [made, setMade] = useState<PairingCode | null>(null);
  const [copied, setCopied] = useState(false);
  return (
    <div className="card" data-testid="pairing-code-panel">
      <h3>Make a pairing code</h3>
      <p className={styles.muted}>For the administrator of the other node: they paste it on their node&apos;s &ldquo;Pair with a node&rdquo;. It works once, for 24 hours.</p>
      <SaveStatus error={error} />
      <button
        type="button"
        className="button"
        disabled={pending}
        onClick={async () => {
          setCopied(false);
          const data = await save<PairingCode>('POST', '/api/admin/node/federation/pairing-codes', undefined, 'The pairing code could not be made.');
          if (data) setMade(data);
        }}
      >
        {pending ? 'Making…' : made ? 'Make another code' : 'Make a pairing code'}
      </button>
      {made && (
        <div className={styles.once} role="status">
          <p>
            <strong>Pairing code</strong> — valid until {formatDateTime(made.expiresAt)}, once.
          </p>
          <div className={styles.copyRow}>
            <code className={styles.secret} data-testid="pairing-code">
              {made.code}
            </code>
            <button
              type="button"
              className="button secondary small"
              onClick={() => {
                void navigator.clipboard?.writeText(made.code).then(() => setCopied(true), () => setCopied(false));
              }}
            >
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
          <p style={{ marginTop: '0.75rem' }}>Then read them this node&apos;s key fingerprint; after pairing, their page must show exactly this for {made.node.name}:</p>
          <Fingerprint value={made.node.fingerprint} testId="code-fingerprint" />
        </div>
      )}
    </div>
  );
}

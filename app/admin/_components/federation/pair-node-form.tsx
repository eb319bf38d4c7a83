'use client';
// Step 2 of pairing, on the other node: paste the code (POST /api/admin/node/federation/peers).
// This node checks that the node answering at the code's address has the code's key, pairs,
// and shows that node's fingerprint to compare with what its administrator reads out.
// Errors: the code's own (400, at the field), another key at that address (409), the node
// unreachable or refusing the code (502): the server's message.
import { useState } from 'react';
import styles from '../../admin.module.css';
import { SaveStatus, useAdminSave } from '../use-admin-save';
import { Fingerprint } from './fingerprint';

interface Paired {
  id: string;
  name: string;
  url: string;
  fingerprint: string;
}

export function PairNodeForm() {
  const { pending, error, fieldErrors, save, router } = useAdminSave();
  const [code, setCode] = useState('');
  const [paired, setPaired] = useState<Paired | null>(null);
  return (
    <div className="card" data-testid="pair-node-form">
      <h3>Pair with a node</h3>
      <p className={styles.muted}>Paste the pairing code the other node&apos;s administrator made for you.</p>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setPaired(null);
          const data = await save<Paired>('POST', '/api/admin/node/federation/peers', { code }, 'Pairing failed.');
          if (data) {
            setPaired(data);
            setCode('');
            router.refresh();
          }
        }}
      >
        {/* The field's own message says what is wrong with the code; a general one only for the others */}
        <SaveStatus error={fieldErrors.code ? undefined : error} />
        <div className="field">
          <label htmlFor="pairing-code-input">Pairing code</label>
          <textarea
            id="pairing-code-input"
            name="code"
            className={`${styles.textarea} ${styles.codeBox}`}
            value={code}
            onChange={(event) => setCode(event.target.value)}
            placeholder="TPN1.…"
            required
            spellCheck={false}
            autoComplete="off"
            aria-invalid={fieldErrors.code ? true : undefined}
            aria-describedby={fieldErrors.code ? 'pairing-code-error' : undefined}
          />
          {fieldErrors.code && (
            <p id="pairing-code-error" className={styles.fieldError} role="alert">
              {fieldErrors.code}
            </p>
          )}
        </div>
        <button type="submit" className="button" disabled={pending}>
          {pending ? 'Pairing…' : 'Pair'}
        </button>
      </form>
      {paired && (
        <div className="alert info" role="status" data-testid="paired" style={{ marginTop: '1rem' }}>
          <p style={{ margin: '0 0 0.5rem' }}>
            <strong>Paired with {paired.name}</strong> ({paired.url}). Its key fingerprint:
          </p>
          <Fingerprint value={paired.fingerprint} testId="paired-fingerprint" />
          <p style={{ margin: '0.5rem 0 0' }}>It must be exactly what its administrator reads to you. If it is not, suspend the pairing below at once.</p>
        </div>
      )}
    </div>
  );
}

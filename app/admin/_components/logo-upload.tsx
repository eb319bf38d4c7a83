'use client';
// The facility's logo: the file itself is PUT (no form encoding), the server
// checks it is a PNG or JPEG of at most 512 KiB.
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import styles from '../admin.module.css';

export function LogoUpload({ facilityId }: { facilityId: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  async function upload(file: File) {
    setPending(true);
    setMessage(undefined);
    const response = await fetch(`/api/admin/node/facilities/${facilityId}/logo`, { method: 'PUT', body: file, headers: { 'content-type': file.type || 'application/octet-stream' }, credentials: 'same-origin' }).catch(() => null);
    const data = ((await response?.json().catch(() => ({}))) ?? {}) as { message?: string; fields?: Record<string, string> };
    setPending(false);
    if (!response?.ok) {
      setMessage({ ok: false, text: data.fields?.logo ?? data.message ?? 'The server could not be reached. Try again.' });
      return;
    }
    setMessage({ ok: true, text: 'Logo saved.' });
    router.refresh();
  }
  return (
    <div className="field" style={{ marginTop: '1.5rem' }}>
      <label htmlFor="facility-logo">Logo (PNG or JPEG, at most 512 KiB)</label>
      <input id="facility-logo" type="file" accept="image/png,image/jpeg" disabled={pending} onChange={(event) => event.target.files?.[0] && void upload(event.target.files[0])} aria-describedby={message ? 'facility-logo-message' : undefined} />
      {message && (
        <p id="facility-logo-message" className={message.ok ? styles.hint : styles.fieldError} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
    </div>
  );
}

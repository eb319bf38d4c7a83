'use client';
// What a Claim answered, above the list: it stays when the list is rendered
// again (the claimed row changes, a row another expert took leaves the list).
import Link from 'next/link';
import { useEffect, useState } from 'react';

const NOTICE_EVENT = 'telepacs:inbox-notice';

interface Notice {
  kind: 'info' | 'error';
  text: string;
  referralId?: string;
}

export function showInboxNotice(notice: Notice): void {
  window.dispatchEvent(new CustomEvent<Notice>(NOTICE_EVENT, { detail: notice }));
}

export function InboxNotices() {
  const [notice, setNotice] = useState<Notice | null>(null);
  useEffect(() => {
    const onNotice = (event: Event) => setNotice((event as CustomEvent<Notice>).detail);
    window.addEventListener(NOTICE_EVENT, onNotice);
    return () => window.removeEventListener(NOTICE_EVENT, onNotice);
  }, []);
  if (!notice) return null;
  return (
    <div className={`alert ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid="inbox-notice">
      {notice.text}{' '}
      {notice.referralId && <Link href={`/referrals/${notice.referralId}`}>Open the case</Link>}{' '}
      <button type="button" className="button secondary small" onClick={() => setNotice(null)}>
        Dismiss
      </button>
    </div>
  );
}

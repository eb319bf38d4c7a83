'use client';
// "Alert me for stat cases": kept in this browser. Turning it on asks for the
// permission to notify and beeps once (which also lets the page play sound).
import { useEffect, useState } from 'react';
import { useHydrated } from '../_lib/use-hydrated';
import { askNotificationPermission, beep, setStatAlertEnabled, statAlertEnabled, STAT_ALERT_CHANGED } from '../_components/referrals/stat-alert';

export function StatAlertToggle() {
  const hydrated = useHydrated();
  const [enabled, setEnabled] = useState(false);
  const [permission, setPermission] = useState<string>('default');
  useEffect(() => {
    const read = () => {
      setEnabled(statAlertEnabled());
      setPermission(typeof Notification === 'undefined' ? 'unsupported' : Notification.permission);
    };
    read();
    window.addEventListener(STAT_ALERT_CHANGED, read);
    return () => window.removeEventListener(STAT_ALERT_CHANGED, read);
  }, []);
  const change = async (on: boolean) => {
    setStatAlertEnabled(on);
    if (!on) return;
    beep();
    await askNotificationPermission();
    setPermission(typeof Notification === 'undefined' ? 'unsupported' : Notification.permission);
  };
  return (
    <div className="stat-alert-toggle">
      <label>
        <input type="checkbox" checked={enabled} disabled={!hydrated} onChange={(event) => void change(event.target.checked)} data-testid="stat-alert" /> Alert me for stat
        cases
      </label>
      <small>
        {enabled
          ? permission === 'granted'
            ? ' A sound, and a notification when this tab is in the background.'
            : ' A sound while Telepacs is open (the browser does not allow notifications).'
          : ' A sound and a notification when a stat case arrives.'}
      </small>
    </div>
  );
}

// The red banner of emergency access (issue 16): shown wherever a page shows
// data the viewer reads through a running emergency override (break-glass),
// one line per override. Server-rendered; times in UTC like every portal page.
import type { RunningOverrideSummary } from '../../../lib/emergency-override/override-marks';

function hoursMinutes(value: Date | string): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  return `${date.toISOString().slice(11, 16)} UTC`;
}

export function OverrideBanner({ overrides }: { overrides: readonly Pick<RunningOverrideSummary, 'id' | 'endsAt' | 'reason' | 'declaredBy'>[] }) {
  if (!overrides.length) return null;
  return (
    <div
      role="alert"
      data-emergency-override={overrides.map((override) => override.id).join(' ')}
      style={{ background: 'var(--bad)', color: '#fff', padding: '0.75rem 1rem', borderRadius: '0.375rem', margin: '0.75rem 0', fontWeight: 500 }}
    >
      {overrides.map((override) => (
        <p key={override.id} style={{ margin: 0 }}>
          <strong>Emergency access — no consent.</strong> Opened by {override.declaredBy.name} for {override.reason}, ends at {hoursMinutes(override.endsAt)}. Every access is recorded.
        </p>
      ))}
    </div>
  );
}

'use client';
// The facility the person acts for, in the header. With several facilities it
// is a menu: choosing one stores it on this session (PUT /api/account/acting-facility)
// and reloads the page's data; their actions are then recorded under it.
import { useRouter } from 'next/navigation';
import { useState } from 'react';

export interface SwitcherFacility {
  id: string;
  name: string;
}

export function ActingFacilitySwitcher({ facilities, actingFacilityId }: { facilities: SwitcherFacility[]; actingFacilityId: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [failed, setFailed] = useState(false);
  if (facilities.length === 1) {
    return (
      <span className="acting-facility" title="The facility you act for">
        {facilities[0].name}
      </span>
    );
  }
  async function choose(facilityId: string) {
    setPending(true);
    setFailed(false);
    const response = await fetch('/api/account/acting-facility', {
      method: 'PUT',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ facilityId }),
      credentials: 'same-origin',
    }).catch(() => null);
    setPending(false);
    if (!response?.ok) {
      setFailed(true);
      return;
    }
    router.refresh();
  }
  return (
    <label className="acting-facility">
      <span className="visually-hidden">Acting for</span>
      <select value={actingFacilityId} disabled={pending} onChange={(event) => void choose(event.target.value)} aria-invalid={failed} title={failed ? 'Could not switch: try again' : 'The facility you act for'}>
        {facilities.map((facility) => (
          <option key={facility.id} value={facility.id}>
            {facility.name}
          </option>
        ))}
      </select>
    </label>
  );
}

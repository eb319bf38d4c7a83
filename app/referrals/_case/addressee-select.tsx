'use client';
// Whom a case goes to: a service of a facility (an expert pool: the first
// expert to claim it takes it) or a named expert, grouped by facility. One
// select, so a phone shows its own picker; the choice is encoded in the
// option's value and turned into the API's addressee here.
import type { ReferralAddressees } from '../../../lib/referrals/list-addressees';

export type AddresseeChoice = { serviceId: string } | { userId: string; facilityId: string };

export function addresseeOf(value: string): AddresseeChoice | null {
  const [kind, id, facilityId] = value.split(':');
  if (kind === 'service' && id) return { serviceId: id };
  if (kind === 'user' && id && facilityId) return { userId: id, facilityId };
  return null;
}

/** The turnaround (minutes) of the chosen addressee for a priority: a service's own, the defaults for a named expert */
export function turnaroundOf(addressees: ReferralAddressees, value: string, priority: 'STAT' | 'URGENT' | 'ROUTINE', defaults: Record<'STAT' | 'URGENT' | 'ROUTINE', number>): number {
  const choice = addresseeOf(value);
  if (choice && 'serviceId' in choice) {
    const service = addressees.services.find((entry) => entry.id === choice.serviceId);
    if (service) return service.turnaroundMinutes[priority];
  }
  return defaults[priority];
}

export function AddresseeSelect({ id, addressees, value, onChange, exclude = [], invalid }: { id: string; addressees: ReferralAddressees; value: string; onChange(value: string): void; exclude?: string[]; invalid?: boolean }) {
  const facilities = new Map<string, string>();
  for (const entry of [...addressees.services, ...addressees.experts]) facilities.set(entry.facilityId, entry.facilityName);
  const ordered = [...facilities.entries()].sort((a, b) => a[1].localeCompare(b[1]));
  return (
    <select id={id} value={value} onChange={(event) => onChange(event.target.value)} aria-invalid={invalid || undefined} required>
      <option value="">Choose a service or an expert…</option>
      {ordered.map(([facilityId, facilityName]) => {
        const services = addressees.services.filter((service) => service.facilityId === facilityId && !exclude.includes(`service:${service.id}`));
        const experts = addressees.experts.filter((expert) => expert.facilityId === facilityId && !exclude.includes(`user:${expert.userId}`));
        if (!services.length && !experts.length) return null;
        return (
          <optgroup key={facilityId} label={facilityName}>
            {services.map((service) => (
              <option key={service.id} value={`service:${service.id}`}>
                {service.name} (service, {facilityName})
              </option>
            ))}
            {experts.map((expert) => (
              <option key={`${expert.userId}:${facilityId}`} value={`user:${expert.userId}:${facilityId}`}>
                {expert.name} (expert, {facilityName})
              </option>
            ))}
          </optgroup>
        );
      })}
    </select>
  );
}

'use client';
// The board's service, for a reader who receives for several: changing it opens that board.
import { useRouter } from 'next/navigation';
import styles from './transfers.module.css';

export function ServiceChoice({ services, serviceId }: { services: { id: string; name: string; facilityName: string }[]; serviceId: string }) {
  const router = useRouter();
  return (
    <form className={styles.serviceChoice} method="get" action="/transfers">
      <label htmlFor="board-service">Service</label>
      <select id="board-service" name="serviceId" value={serviceId} onChange={(event) => router.push(`/transfers?serviceId=${encodeURIComponent(event.target.value)}`)}>
        {services.map((service) => (
          <option key={service.id} value={service.id}>
            {service.name} — {service.facilityName}
          </option>
        ))}
      </select>
      <noscript>
        <button type="submit" className="button secondary small">
          Show
        </button>
      </noscript>
    </form>
  );
}

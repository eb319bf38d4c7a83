// The filters of the inbox and of "My referrals": a GET form (works without
// JavaScript; the URL can be bookmarked and shared).
import Link from 'next/link';
import { REFERRAL_STATUSES, STATUS_WORDS } from '../../lib/referrals/referral-states';
import styles from '../_components/worklist/worklist.module.css';

const MODALITIES = ['CT', 'MR', 'US', 'CR', 'DX', 'MG', 'NM', 'PT', 'XA', 'RF'];
const PRIORITIES = [
  ['', 'Any'],
  ['STAT', 'Stat'],
  ['URGENT', 'Urgent'],
  ['ROUTINE', 'Routine'],
] as const;

export interface FilterValues {
  status: string;
  priority: string;
  modality: string;
  facilityId: string;
}

interface Props {
  box: 'inbox' | 'mine';
  values: FilterValues;
  /** The requesting facilities seen in the inbox (its facility filter) */
  facilities: { id: string; name: string }[];
  errors: Record<string, string>;
}

export function ReferralFilters({ box, values, facilities, errors }: Props) {
  const error = (name: string) =>
    errors[name] ? (
      <span id={`rf-${name}-error`} className={styles.error} role="alert">
        {errors[name]}
      </span>
    ) : null;
  const described = (name: string) => (errors[name] ? { 'aria-describedby': `rf-${name}-error`, 'aria-invalid': true } : {});
  const modalities = values.modality && !MODALITIES.includes(values.modality) ? [values.modality, ...MODALITIES] : MODALITIES;
  return (
    <form method="get" action="/referrals" className={styles.form} role="search" aria-label={box === 'mine' ? 'Filter my referrals' : 'Filter the inbox'}>
      {box === 'mine' && <input type="hidden" name="box" value="mine" />}
      <div className={styles.grid}>
        <div className={styles.field}>
          <label htmlFor="rf-status">Status</label>
          <select id="rf-status" name="status" defaultValue={values.status || 'open'} {...described('status')}>
            <option value="open">{box === 'mine' ? 'Not closed' : 'Open'}</option>
            <option value="all">All</option>
            {REFERRAL_STATUSES.map((status) => (
              <option key={status} value={status}>
                {STATUS_WORDS[status]}
              </option>
            ))}
          </select>
          {error('status')}
        </div>
        <div className={styles.field}>
          <label htmlFor="rf-priority">Priority</label>
          <select id="rf-priority" name="priority" defaultValue={values.priority} {...described('priority')}>
            {PRIORITIES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
          {error('priority')}
        </div>
        <div className={styles.field}>
          <label htmlFor="rf-modality">Modality</label>
          <select id="rf-modality" name="modality" defaultValue={values.modality} {...described('modality')}>
            <option value="">Any</option>
            {modalities.map((modality) => (
              <option key={modality} value={modality}>
                {modality}
              </option>
            ))}
          </select>
          {error('modality')}
        </div>
        {box === 'inbox' && (
          <div className={styles.field}>
            <label htmlFor="rf-facility">Requesting facility</label>
            <select id="rf-facility" name="facilityId" defaultValue={values.facilityId} {...described('facilityId')}>
              <option value="">Any</option>
              {facilities.map((facility) => (
                <option key={facility.id} value={facility.id}>
                  {facility.name}
                </option>
              ))}
            </select>
            {error('facilityId')}
          </div>
        )}
      </div>
      <div className={styles.actions}>
        <button type="submit" className="button">
          Apply filters
        </button>
        <Link href={box === 'mine' ? '/referrals?box=mine' : '/referrals'} className="button secondary">
          Clear
        </Link>
      </div>
    </form>
  );
}

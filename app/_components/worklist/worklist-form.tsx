import type { WorklistFilters, WorklistField, WorklistRequest } from '../../../lib/search/worklist';
import styles from './worklist.module.css';

interface Props {
  filters: WorklistFilters;
  errors: Partial<Record<WorklistField, string>>;
  request: WorklistRequest;
  facilities: { code: string; name: string }[];
}

/** Behind "More filters", opened when one of them is in use */
const MORE_FIELDS: WorklistField[] = ['issuer', 'sex', 'ageFrom', 'ageTo', 'birthDate', 'accession', 'description', 'referring', 'facility'];

const SEX_CHOICES = [['', 'Any'], ['F', 'Female'], ['M', 'Male'], ['O', 'Other']] as const;
/** lib/search/worklist-reports.ts REPORT_FILTERS */
const REPORT_CHOICES = [['', 'Any'], ['unreported', 'Unreported'], ['draft', 'My drafts'], ['preliminary', 'Preliminary'], ['final', 'Final'], ['amended', 'Amended or addendum']] as const;

const MODALITIES = ['CT', 'MR', 'US', 'CR', 'DX', 'MG', 'NM', 'PT', 'XA', 'RF', 'OT', 'SR'];

/** A GET form: the search lives in the URL, so it can be bookmarked, shared and reloaded. */
export function WorklistForm({ filters, errors, request, facilities }: Props) {
  const field = (name: WorklistField, label: string, input: React.ReactNode, wide = false) => (
    <div className={`${styles.field} ${wide ? styles.wide : ''}`}>
      <label htmlFor={`wl-${name}`}>{label}</label>
      {input}
      {errors[name] && (
        <span id={`wl-${name}-error`} className={styles.error} role="alert">
          {errors[name]}
        </span>
      )}
    </div>
  );
  const described = (name: WorklistField) => (errors[name] ? { 'aria-describedby': `wl-${name}-error`, 'aria-invalid': true } : {});
  const text = (name: WorklistField, placeholder = '', type = 'text') => (
    <input id={`wl-${name}`} name={name} type={type} defaultValue={filters[name] ?? ''} placeholder={placeholder} {...described(name)} />
  );
  const choice = (name: WorklistField, options: readonly (readonly [string, string])[]) => (
    <select id={`wl-${name}`} name={name} defaultValue={filters[name] ?? ''} {...described(name)}>
      {options.map(([value, label]) => (
        <option key={value} value={value}>
          {label}
        </option>
      ))}
    </select>
  );
  return (
    <form method="get" action="/" className={styles.form} role="search" aria-label="Find studies">
      <div className={styles.grid}>
        {field('name', 'Patient name', text('name', 'e.g. muller hans'), true)}
        {field('mrn', 'MRN (patient ID)', text('mrn', 'all or part of the number'))}
        {field(
          'modality',
          'Modality',
          <>
            <input id="wl-modality" name="modality" list="wl-modalities" defaultValue={filters.modality ?? ''} {...described('modality')} />
            <datalist id="wl-modalities">
              {MODALITIES.map((modality) => (
                <option key={modality} value={modality} />
              ))}
            </datalist>
          </>,
        )}
        {field('dateFrom', 'Study date from', text('dateFrom', '', 'date'))}
        {field('dateTo', 'Study date to', text('dateTo', '', 'date'))}
        {field('report', 'Report', choice('report', REPORT_CHOICES))}
        <div className={styles.field}>
          <label htmlFor="wl-order">Order</label>
          <select id="wl-order" name="order" defaultValue={request.sort === 'date' ? (request.direction === 'asc' ? 'oldest' : 'newest') : ''}>
            {request.sort !== 'date' && <option value="">As sorted in the table</option>}
            <option value="newest">Newest first</option>
            <option value="oldest">Oldest first</option>
          </select>
        </div>
      </div>
      <details className={styles.more} open={MORE_FIELDS.some((name) => filters[name] || errors[name])}>
        <summary>More filters</summary>
        <div className={styles.grid}>
          {field('issuer', 'Issuer of MRN', text('issuer'))}
          {field('sex', 'Sex', choice('sex', SEX_CHOICES))}
          {field('ageFrom', 'Age from (years)', text('ageFrom', '', 'number'))}
          {field('ageTo', 'Age to (years)', text('ageTo', '', 'number'))}
          {field('birthDate', 'Birth date', text('birthDate', '', 'date'))}
          {field('accession', 'Accession number', text('accession'))}
          {field('description', 'Description contains', text('description'))}
          {field('referring', 'Referring physician', text('referring'))}
          {facilities.length > 1 &&
            field(
              'facility',
              'Facility',
              <select id="wl-facility" name="facility" defaultValue={filters.facility ?? ''}>
                <option value="">All my facilities</option>
                {facilities.map((facility) => (
                  <option key={facility.code} value={facility.code}>
                    {facility.name}
                  </option>
                ))}
              </select>,
            )}
        </div>
      </details>
      {request.sort !== 'date' && <input type="hidden" name="sort" value={request.sort} />}
      {request.sort !== 'date' && <input type="hidden" name="dir" value={request.direction} />}
      <input type="hidden" name="pageSize" value={request.pageSize} />
      <div className={styles.actions}>
        <button type="submit" className="button">
          Search
        </button>
        <a href="/" className="button secondary">
          Clear
        </a>
      </div>
    </form>
  );
}

import Form from 'next/form';
import Link from 'next/link';
import type { AuditFilterError, AuditFilterField, AuditFilterValues } from '../../lib/audit/audit-query';
import { AUDIT_OUTCOMES } from '../../lib/audit/audit-query';
import { AUDIT_ACTIONS } from '../../lib/audit/actions';
import type { AdministeredFacility } from '../../lib/policy';
import styles from './audit.module.css';

// Suggestions only: any action name (or family with .*) may be typed. Each
// action is offered with its words (lib/audit/actions.ts), each family first.
const ACTION_SUGGESTIONS: { value: string; label: string }[] = [
  { value: 'dicomweb.*', label: 'Everything through DICOMweb' },
  { value: 'dimse.*', label: 'Everything from DICOM devices' },
  { value: 'portal.*', label: 'Pages of the portal' },
  { value: 'auth.*', label: 'Signing in and out' },
  { value: 'admin.*', label: 'Administration' },
  { value: 'consult.*', label: 'Teleconsultations' },
  { value: 'audit.*', label: 'Reading the audit trail' },
  ...Object.entries(AUDIT_ACTIONS).map(([value, spec]) => ({ value, label: spec.label })),
];

interface TextFieldProps {
  field: AuditFilterField;
  label: string;
  values: AuditFilterValues;
  errorOf: (field: AuditFilterField) => string | undefined;
  type?: 'text' | 'date';
  placeholder?: string;
  list?: string;
}

function TextField({ field, label, values, errorOf, type = 'text', placeholder, list }: TextFieldProps) {
  const error = errorOf(field);
  const id = `audit-${field}`;
  return (
    <div className={styles.field}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={field}
        type={type}
        defaultValue={values[field]}
        placeholder={placeholder}
        list={list}
        maxLength={128}
        autoComplete="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      {error ? (
        <span id={`${id}-error`} className={styles.fieldError}>
          {error}
        </span>
      ) : null}
    </div>
  );
}

/** A GET form: the filters live in the URL, so a filtered view can be bookmarked and shared. */
export function AuditFilterForm({
  values,
  errors,
  facilities,
}: {
  values: AuditFilterValues;
  errors: AuditFilterError[];
  facilities: AdministeredFacility[];
}) {
  const errorOf = (field: AuditFilterField) => errors.find((error) => error.field === field)?.message;
  const common = { values, errorOf };
  const pageError = errors.find((error) => error.field === 'page');
  return (
    <Form action="/audit" className={`card ${styles.filters}`} aria-labelledby="audit-filters-heading">
      <h2 id="audit-filters-heading" className={styles.filtersHeading}>
        Filters
      </h2>
      {errors.length ? (
        <div className="alert error" role="alert">
          <strong>Check the filters:</strong>
          <ul className={styles.errorList}>
            {errors.map((error) => (
              <li key={error.field}>
                {error.field === 'page' ? error.message : <a href={`#audit-${error.field}`}>{error.message}</a>}
              </li>
            ))}
          </ul>
          {pageError ? <Link href="/audit">Back to the first page</Link> : null}
        </div>
      ) : null}
      <div className={styles.grid}>
        <TextField field="patientId" label="Patient ID" placeholder="e.g. 12345" {...common} />
        <TextField field="actor" label="User or AE title" placeholder="email, or AE:CT1" {...common} />
        <TextField field="action" label="Action" placeholder="e.g. dicomweb.*" list="audit-actions" {...common} />
        <datalist id="audit-actions">
          {ACTION_SUGGESTIONS.map((action) => (
            <option key={action.value} value={action.value} label={action.label} />
          ))}
        </datalist>
        <div className={styles.field}>
          <label htmlFor="audit-outcome">Outcome</label>
          <select
            id="audit-outcome"
            name="outcome"
            defaultValue={values.outcome.toUpperCase()}
            aria-invalid={errorOf('outcome') ? true : undefined}
            aria-describedby={errorOf('outcome') ? 'audit-outcome-error' : undefined}
          >
            <option value="">Any</option>
            {AUDIT_OUTCOMES.map((outcome) => (
              <option key={outcome} value={outcome}>
                {outcome.charAt(0) + outcome.slice(1).toLowerCase()}
              </option>
            ))}
          </select>
          {errorOf('outcome') ? (
            <span id="audit-outcome-error" className={styles.fieldError}>
              {errorOf('outcome')}
            </span>
          ) : null}
        </div>
        <TextField field="from" label="From (UTC day)" type="date" {...common} />
        <TextField field="to" label="To (UTC day, included)" type="date" {...common} />
        <TextField field="studyUid" label="Study Instance UID" placeholder="1.2.840…" {...common} />
        <TextField field="sourceIp" label="From IP address" placeholder="10.1.2.3 or 10.1." {...common} />
        {facilities.length > 1 ? (
          <div className={styles.field}>
            <label htmlFor="audit-facility">Facility</label>
            <select id="audit-facility" name="facility" defaultValue={values.facility}>
              <option value="">All I administer</option>
              {facilities.map((facility) => (
                <option key={facility.id} value={facility.code}>
                  {facility.name} ({facility.code})
                </option>
              ))}
            </select>
          </div>
        ) : null}
      </div>
      <div className={styles.actions}>
        <button type="submit" className="button">
          Apply filters
        </button>
        <Link href="/audit" className="button secondary">
          Clear
        </Link>
      </div>
    </Form>
  );
}

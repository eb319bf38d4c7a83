'use client';
// The facility's consent forms: per key, the current version in each language
// (its text, version, date), with New version (the editor below, prefilled) and
// Retire; earlier versions under each, kept because signed consents point at
// them; withdrawn forms at the end, which a new version brings back.
import { useState } from 'react';
import styles from '../admin.module.css';
import { ActionButton } from './action-button';
import { ConsentFormEditor, type ConsentFormValue } from './consent-form-editor';
import { formatDateTime } from './format';

export interface ConsentFormRowView extends ConsentFormValue {
  id: string;
  version: number;
  createdAt: string;
  shipped: boolean;
  retired: boolean;
}

const EMPTY: ConsentFormValue = { key: '', language: '', title: '', body: '' };

const valueOf = (form: ConsentFormValue): ConsentFormValue => ({ key: form.key, language: form.language, title: form.title, body: form.body });
const named = (form: { key: string; language: string }) => `${form.key} (${form.language})`;

export function ConsentFormsPanel({ facilityId, current, history }: { facilityId: string; current: ConsentFormRowView[]; history: ConsentFormRowView[] }) {
  // The editor starts from the first current form (its next version); "New version" of another form reopens it from that one
  const [from, setFrom] = useState<{ value: ConsentFormValue; version: number; replaces?: string; opened: number; focus: boolean }>(() =>
    current[0] ? { value: valueOf(current[0]), version: current[0].version, replaces: named(current[0]), opened: 0, focus: false } : { value: EMPTY, version: 0, opened: 0, focus: false },
  );
  const [saved, setSaved] = useState<string>();
  const open = (form: ConsentFormRowView) => {
    setFrom((before) => ({ value: valueOf(form), version: form.version, replaces: named(form), opened: before.opened + 1, focus: true }));
    setSaved(undefined);
    document.getElementById('consent-form-editor')?.scrollIntoView({ block: 'start' });
  };
  const currentIds = new Set(current.map((form) => form.id));
  const withdrawn = [...new Map(history.filter((form) => !current.some((live) => live.key === form.key && live.language === form.language)).map((form) => [`${form.key}\u0000${form.language}`, form])).values()];
  const keys = [...new Set(current.map((form) => form.key))];
  const retireUrl = (form: ConsentFormRowView) => `/api/admin/facilities/${facilityId}/consent-forms/${form.id}/retire`;

  return (
    <>
      <section className={styles.section} aria-labelledby="consent-forms-heading">
        <h2 id="consent-forms-heading">Consent forms</h2>
        <p className={styles.muted}>
          What a patient reads and signs before their images are shared. A change is published as a new version; consents already signed keep
          pointing at the version their patient read.
        </p>
        {keys.length === 0 && <p className={styles.empty}>No form is offered for signing. Publish one below.</p>}
        {keys.map((key) => (
          <div key={key} className={styles.section}>
            <h3>{key}</h3>
            <ul className={styles.templateList}>
              {current
                .filter((form) => form.key === key)
                .map((form) => {
                  const earlier = history.filter((old) => old.key === form.key && old.language === form.language && !currentIds.has(old.id));
                  return (
                    <li key={form.id} className="card" data-consent-form={named(form)} aria-labelledby={`consent-form-${form.id}`}>
                      <div className={styles.sectionHead}>
                        <h4 id={`consent-form-${form.id}`} style={{ margin: 0 }}>
                          {form.title} <span className="badge">{form.language}</span> <span className="badge">version {form.version}</span> {form.shipped && <span className="badge">shipped</span>}
                        </h4>
                        <div className={styles.actions}>
                          <button type="button" className="button secondary small" onClick={() => open(form)} aria-label={`New version of ${named(form)}`}>
                            New version
                          </button>
                          <ActionButton
                            method="POST"
                            url={retireUrl(form)}
                            label="Retire"
                            confirm={`Retire ${named(form)}? It will no longer be offered for signing in this language. Consents already signed keep their text.`}
                            failure="The form could not be retired."
                          />
                        </div>
                      </div>
                      <p className={styles.muted} style={{ margin: '0.35rem 0' }}>
                        Published {formatDateTime(form.createdAt)}
                        {form.shipped && ' · the text shipped with Telepacs'}
                      </p>
                      <details>
                        <summary>Read the text</summary>
                        <p className={styles.formText}>{form.body}</p>
                      </details>
                      {earlier.length > 0 && (
                        <details>
                          <summary>Earlier versions ({earlier.length})</summary>
                          <ul className={styles.sectionNames}>
                            {earlier.map((old) => (
                              <li key={old.id}>
                                Version {old.version} · {old.title} · {formatDateTime(old.createdAt)}
                                {old.retired && ' · retired'}
                              </li>
                            ))}
                          </ul>
                        </details>
                      )}
                    </li>
                  );
                })}
            </ul>
          </div>
        ))}
        {withdrawn.length > 0 && (
          <div className={styles.section}>
            <h3>Retired forms</h3>
            <ul className={styles.templateList}>
              {withdrawn.map((form) => (
                <li key={form.id} className="card" data-consent-form={named(form)}>
                  <div className={styles.sectionHead}>
                    <span>
                      {form.title} <span className="badge">{form.language}</span> <span className="badge">version {form.version}</span>{' '}
                      <span className={`badge ${styles.retiredBadge}`}>retired</span>
                    </span>
                    <button type="button" className="button secondary small" onClick={() => open(form)} aria-label={`New version of ${named(form)}`}>
                      New version
                    </button>
                  </div>
                </li>
              ))}
            </ul>
          </div>
        )}
      </section>

      <section className={styles.section} aria-labelledby="consent-form-editor-heading" id="consent-form-editor">
        <h2 id="consent-form-editor-heading">{from.replaces ? `New version of ${from.replaces}` : 'Publish a form'}</h2>
        {saved && (
          <p className="alert info" role="status">
            {saved}
          </p>
        )}
        <p className={styles.muted}>Change the key or the language to start another form or a translation (its version 1). Cancel starts from an empty form.</p>
        <ConsentFormEditor
          key={from.opened}
          facilityId={facilityId}
          from={from.value}
          baseVersion={from.version}
          focus={from.focus}
          onDone={(message, published) => {
            // What was just published is the start of its next version
            setFrom((before) => ({ value: valueOf(published), version: published.version, replaces: named(published), opened: before.opened + 1, focus: false }));
            setSaved(message);
          }}
          onCancel={from.replaces ? () => setFrom((before) => ({ value: EMPTY, version: 0, opened: before.opened + 1, focus: true })) : undefined}
        />
      </section>
    </>
  );
}

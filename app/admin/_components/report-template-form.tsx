'use client';
// Create or edit one report template: name, modality, body region and its
// sections (added, removed, moved up and down), each with a key, a heading,
// default text and an optional pick list. The API validates; its messages are
// shown beside the inputs they name (`sections.1.key`, lib/admin/errors).
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import styles from '../admin.module.css';
import { callApi } from './api-call';
import { useHydrated } from '../../_lib/use-hydrated';

export interface TemplateSectionValue {
  key: string;
  title: string;
  defaultText?: string;
  pickList?: { label: string; options: string[] };
}

export interface TemplateValue {
  name: string;
  modality: string;
  bodyRegion: string;
  sections: TemplateSectionValue[];
}

/** What the form edits: a new template (maybe a copy) or one of the facility's own */
export type TemplateFormTarget = { mode: 'create'; from: TemplateValue } | { mode: 'edit'; templateId: string; from: TemplateValue };

interface SectionDraft {
  /** React's key: stays with the section when it moves */
  uid: number;
  key: string;
  /** The key was typed: renaming the heading no longer proposes one */
  keyTyped: boolean;
  title: string;
  defaultText: string;
  withPickList: boolean;
  pickLabel: string;
  /** One option per line */
  pickOptions: string;
}

let nextUid = 1;

function draftOf(section: TemplateSectionValue): SectionDraft {
  return {
    uid: nextUid++,
    key: section.key,
    keyTyped: section.key !== '',
    title: section.title,
    defaultText: section.defaultText ?? '',
    withPickList: Boolean(section.pickList),
    pickLabel: section.pickList?.label ?? '',
    pickOptions: section.pickList?.options.join('\n') ?? '',
  };
}

/** A key proposed from a Latin heading ("Clinical information" → clinical_information); other scripts: typed by hand */
function proposedKey(title: string): string {
  return title
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+|_+$/g, '')
    .slice(0, 64);
}

export const EMPTY_TEMPLATE: TemplateValue = { name: '', modality: '', bodyRegion: '', sections: [{ key: 'findings', title: 'Findings' }] };

export function ReportTemplateForm({ facilityId, target, onDone, onCancel }: { facilityId: string; target: TemplateFormTarget; onDone: (message: string) => void; onCancel: () => void }) {
  const router = useRouter();
  const [name, setName] = useState(target.from.name);
  const [modality, setModality] = useState(target.from.modality);
  const [bodyRegion, setBodyRegion] = useState(target.from.bodyRegion);
  const [sections, setSections] = useState<SectionDraft[]>(() => target.from.sections.map(draftOf));
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();
  const [error, setError] = useState<string>();
  const [fields, setFields] = useState<Record<string, string>>({});
  const nameInput = useRef<HTMLInputElement>(null);
  // Opened to edit or copy from the list: the keyboard goes straight to the form
  useEffect(() => {
    if (target.mode === 'edit' || target.from.name !== '') nameInput.current?.focus();
  }, [target]);

  const change = (uid: number, patch: Partial<SectionDraft>) => setSections((all) => all.map((section) => (section.uid === uid ? { ...section, ...patch } : section)));
  // The moved section's Up or Down button keeps the keyboard focus; at the top (or bottom), where that button is
  // disabled, the other one takes it
  const [movedFocus, setMovedFocus] = useState<{ uid: number; by: -1 | 1 }>();
  const move = (index: number, by: -1 | 1) => {
    setMovedFocus({ uid: sections[index].uid, by });
    setSections((all) => {
      const moved = [...all];
      [moved[index], moved[index + by]] = [moved[index + by], moved[index]];
      return moved;
    });
  };
  useEffect(() => {
    if (!movedFocus) return;
    const button = (by: -1 | 1) => document.getElementById(`template-section-${movedFocus.uid}-${by < 0 ? 'up' : 'down'}`) as HTMLButtonElement | null;
    const same = button(movedFocus.by);
    (same && !same.disabled ? same : button(movedFocus.by < 0 ? 1 : -1))?.focus();
    setMovedFocus(undefined);
  }, [movedFocus]);
  /** The API's message for this input, or for anything inside it (e.g. one empty option of a pick list) */
  const errorFor = (path: string) => fields[path] ?? Object.entries(fields).find(([key]) => key.startsWith(`${path}.`))?.[1];
  const sectionErrorShownInside = Object.keys(fields).some((key) => key.startsWith('sections.'));

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const body: TemplateValue = {
      name,
      modality,
      bodyRegion,
      sections: sections.map((section) => ({
        key: section.key,
        title: section.title,
        ...(section.defaultText.trim() ? { defaultText: section.defaultText } : {}),
        ...(section.withPickList
          ? {
              pickList: {
                label: section.pickLabel,
                options: section.pickOptions
                  .split('\n')
                  .map((option) => option.trim())
                  .filter(Boolean),
              },
            }
          : {}),
      })),
    };
    setPending(true);
    setError(undefined);
    setFields({});
    const base = `/api/admin/facilities/${facilityId}/report-templates`;
    const result = target.mode === 'edit' ? await callApi('PATCH', `${base}/${target.templateId}`, body) : await callApi('POST', base, body);
    setPending(false);
    if (!result.ok) {
      setError(result.data.message ?? 'The template could not be saved.');
      setFields(result.data.fields ?? {});
      return;
    }
    router.refresh();
    onDone(target.mode === 'edit' ? `${name.trim()} saved.` : `${name.trim()} created: experts of this facility can start reports from it.`);
  }

  const input = (id: string, label: string, value: string, set: (value: string) => void, path: string, props: Record<string, unknown> = {}, hint?: string) => {
    const message = errorFor(path);
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          value={value}
          onChange={(event) => set(event.target.value)}
          autoComplete="off"
          aria-invalid={Boolean(message)}
          aria-describedby={message ? `${id}-error` : hint ? `${id}-hint` : undefined}
          {...props}
        />
        {message ? (
          <p className={styles.fieldError} id={`${id}-error`}>
            {message}
          </p>
        ) : (
          hint && (
            <p className={styles.hint} id={`${id}-hint`}>
              {hint}
            </p>
          )
        )}
      </div>
    );
  };

  return (
    <form method="post" onSubmit={submit} noValidate aria-labelledby="template-form-heading">
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      <div className={styles.form}>
        {input('template-name', 'Name', name, setName, 'name', { ref: nameInput, maxLength: 120, required: true })}
        {input('template-modality', 'Modality (optional)', modality, setModality, 'modality', { maxLength: 16, spellCheck: false }, 'e.g. CT, MR, US; empty: any')}
        {input('template-bodyRegion', 'Body region (optional)', bodyRegion, setBodyRegion, 'bodyRegion', { maxLength: 64 }, 'e.g. CHEST, HEAD; empty: any')}
      </div>
      <h3 id="template-sections-heading">Sections ({sections.length})</h3>
      {fields.sections && !sectionErrorShownInside && (
        <p className={styles.fieldError} id="template-sections-error" role="alert">
          {fields.sections}
        </p>
      )}
      {sections.length === 0 && <p className={styles.empty}>No section: a report needs at least one. Add one below.</p>}
      <ol className={styles.templateSections} aria-labelledby="template-sections-heading">
        {sections.map((section, index) => {
          const id = `template-section-${section.uid}`;
          const path = `sections.${index}`;
          return (
            <li key={section.uid}>
              <fieldset className={styles.templateSection}>
                <legend>
                  Section {index + 1}
                  {section.title.trim() && `: ${section.title.trim()}`}
                </legend>
                <div className={styles.form}>
                  {input(`${id}-title`, 'Heading', section.title, (title) => change(section.uid, { title, ...(section.keyTyped ? {} : { key: proposedKey(title) }) }), `${path}.title`, { maxLength: 100 })}
                  {input(`${id}-key`, 'Key', section.key, (key) => change(section.uid, { key, keyTyped: key !== '' }), `${path}.key`, { maxLength: 64, spellCheck: false }, 'a–z, 0–9 and _, unique in the template')}
                </div>
                <div className="field">
                  <label htmlFor={`${id}-text`}>Default text (optional)</label>
                  <textarea
                    id={`${id}-text`}
                    className={styles.textarea}
                    rows={2}
                    value={section.defaultText}
                    onChange={(event) => change(section.uid, { defaultText: event.target.value })}
                    aria-invalid={Boolean(errorFor(`${path}.defaultText`))}
                  />
                  {errorFor(`${path}.defaultText`) && <p className={styles.fieldError}>{errorFor(`${path}.defaultText`)}</p>}
                </div>
                <label className={styles.inlineCheck}>
                  <input type="checkbox" checked={section.withPickList} onChange={(event) => change(section.uid, { withPickList: event.target.checked })} /> Pick list in this section
                </label>
                {section.withPickList && (
                  <div className={styles.form}>
                    {input(`${id}-pick-label`, 'Pick list label', section.pickLabel, (pickLabel) => change(section.uid, { pickLabel }), `${path}.pickList.label`, { maxLength: 100, placeholder: 'Severity' })}
                    <div className="field">
                      <label htmlFor={`${id}-pick-options`}>Options, one per line</label>
                      <textarea
                        id={`${id}-pick-options`}
                        className={styles.textarea}
                        rows={4}
                        value={section.pickOptions}
                        onChange={(event) => change(section.uid, { pickOptions: event.target.value })}
                        aria-invalid={Boolean(errorFor(`${path}.pickList.options`))}
                        aria-describedby={errorFor(`${path}.pickList.options`) ? `${id}-pick-options-error` : undefined}
                      />
                      {errorFor(`${path}.pickList.options`) && (
                        <p className={styles.fieldError} id={`${id}-pick-options-error`}>
                          {errorFor(`${path}.pickList.options`)}
                        </p>
                      )}
                    </div>
                  </div>
                )}
                <div className={styles.actions}>
                  <button type="button" id={`${id}-up`} className="button secondary small" disabled={index === 0} onClick={() => move(index, -1)} aria-label={`Move section ${index + 1} up`}>
                    ↑ Up
                  </button>
                  <button type="button" id={`${id}-down`} className="button secondary small" disabled={index === sections.length - 1} onClick={() => move(index, 1)} aria-label={`Move section ${index + 1} down`}>
                    ↓ Down
                  </button>
                  <button type="button" className="button secondary small" onClick={() => setSections((all) => all.filter((other) => other.uid !== section.uid))} aria-label={`Remove section ${index + 1}`}>
                    Remove
                  </button>
                </div>
              </fieldset>
            </li>
          );
        })}
      </ol>
      <div className={styles.actions}>
        <button type="button" className="button secondary" onClick={() => setSections((all) => [...all, draftOf({ key: '', title: '' })])}>
          Add a section
        </button>
        <button type="submit" className="button" disabled={pending || !hydrated}>
          {pending ? 'Saving…' : target.mode === 'edit' ? 'Save changes' : 'Create template'}
        </button>
        {(target.mode === 'edit' || target.from.name !== '') && (
          <button type="button" className="button secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

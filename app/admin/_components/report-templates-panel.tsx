'use client';
// The facility's report templates: the shipped ones (read-only: copied, never
// edited, as the API allows) and the facility's own (edited, retired, brought
// back). Retired templates are not offered when a report is started; they are
// listed here under "Retired".
import { useState } from 'react';
import styles from '../admin.module.css';
import { ActionButton } from './action-button';
import { EMPTY_TEMPLATE, ReportTemplateForm, type TemplateFormTarget, type TemplateValue } from './report-template-form';

export interface TemplateRow extends TemplateValue {
  id: string;
  /** Shipped with Telepacs: read-only */
  shipped: boolean;
  retired: boolean;
}

type Shown = 'in-use' | 'retired' | 'all';

function valueOf(template: TemplateRow): TemplateValue {
  return { name: template.name, modality: template.modality, bodyRegion: template.bodyRegion, sections: template.sections };
}

export function ReportTemplatesPanel({ facilityId, templates }: { facilityId: string; templates: TemplateRow[] }) {
  const [shown, setShown] = useState<Shown>('in-use');
  const [target, setTarget] = useState<TemplateFormTarget>({ mode: 'create', from: EMPTY_TEMPLATE });
  const [formKey, setFormKey] = useState(0);
  const [saved, setSaved] = useState<string>();
  const open = (next: TemplateFormTarget) => {
    setTarget(next);
    setFormKey((key) => key + 1);
    setSaved(undefined);
  };
  const retiredCount = templates.filter((template) => template.retired).length;
  const listed = templates.filter((template) => (shown === 'all' ? true : shown === 'retired' ? template.retired : !template.retired));
  const base = `/api/admin/facilities/${facilityId}/report-templates`;
  const editedName = target.mode === 'edit' ? templates.find((template) => template.id === target.templateId)?.name : undefined;

  return (
    <>
      <section className={styles.section} aria-labelledby="templates-heading">
        <div className={styles.sectionHead}>
          <h2 id="templates-heading">Templates ({listed.length})</h2>
          <div className="field" style={{ marginBottom: 0 }}>
            <label htmlFor="templates-shown">Show</label>
            <select id="templates-shown" className={styles.select} value={shown} onChange={(event) => setShown(event.target.value as Shown)}>
              <option value="in-use">In use ({templates.length - retiredCount})</option>
              <option value="retired">Retired ({retiredCount})</option>
              <option value="all">All ({templates.length})</option>
            </select>
          </div>
        </div>
        {listed.length === 0 && <p className={styles.empty}>{shown === 'retired' ? 'No retired template.' : 'No template.'}</p>}
        <ul className={styles.templateList}>
          {listed.map((template) => (
            <li key={template.id} className="card" data-template={template.name} aria-labelledby={`template-${template.id}`}>
              <div className={styles.sectionHead}>
                <h3 id={`template-${template.id}`} style={{ margin: 0 }}>
                  {template.name} {template.shipped && <span className="badge">shipped</span>} {template.retired && <span className={`badge ${styles.retiredBadge}`}>retired</span>}
                </h3>
                <div className={styles.actions}>
                  {!template.shipped && !template.retired && (
                    <button type="button" className="button secondary small" onClick={() => open({ mode: 'edit', templateId: template.id, from: valueOf(template) })} aria-label={`Edit ${template.name}`}>
                      Edit
                    </button>
                  )}
                  <button type="button" className="button secondary small" onClick={() => open({ mode: 'create', from: { ...valueOf(template), name: `${template.name} (copy)` } })} aria-label={`Copy ${template.name}`}>
                    Copy
                  </button>
                  {!template.shipped &&
                    (template.retired ? (
                      <ActionButton method="PATCH" url={`${base}/${template.id}`} body={{ retired: false }} label="Bring back" confirm={`Bring back ${template.name}? Experts will be offered it again when they start a report.`} />
                    ) : (
                      <ActionButton
                        method="PATCH"
                        url={`${base}/${template.id}`}
                        body={{ retired: true }}
                        label="Retire"
                        confirm={`Retire ${template.name}? It will no longer be offered when a report is started. Reports already written keep their sections.`}
                      />
                    ))}
                </div>
              </div>
              <p className={styles.muted} style={{ margin: '0.35rem 0' }}>
                Modality: {template.modality || 'any'} · Body region: {template.bodyRegion || 'any'}
                {template.shipped && ' · Shipped with Telepacs: cannot be edited or retired — copy it to make your own.'}
              </p>
              <ol className={styles.sectionNames}>
                {template.sections.map((section) => (
                  <li key={section.key}>
                    {section.title}
                    {section.pickList && (
                      <span className={styles.muted}>
                        {' '}
                        · pick list {section.pickList.label}: {section.pickList.options.join(', ')}
                      </span>
                    )}
                  </li>
                ))}
              </ol>
            </li>
          ))}
        </ul>
      </section>

      <section className={styles.section} aria-labelledby="template-form-heading" id="template-form">
        <h2 id="template-form-heading">{target.mode === 'edit' ? `Edit ${editedName ?? 'template'}` : target.from.name ? 'New template from a copy' : 'New template'}</h2>
        {saved && (
          <p className="alert info" role="status">
            {saved}
          </p>
        )}
        <p className={styles.muted}>
          Reports already started keep the sections they were started with: a change here applies to the next report.
        </p>
        <ReportTemplateForm
          key={formKey}
          facilityId={facilityId}
          target={target}
          onDone={(message) => {
            open({ mode: 'create', from: EMPTY_TEMPLATE });
            setSaved(message);
          }}
          onCancel={() => open({ mode: 'create', from: EMPTY_TEMPLATE })}
        />
      </section>
    </>
  );
}

'use client';
// The report of a study, one version: its own draft editable (autosaved a
// second after the last keystroke, and at once when the tab is hidden or
// closed, with keepalive so nothing typed is lost), any other version
// read-only with its status, signer and time. Conflicts (another tab, a
// colleague, a signature) are never overwritten: the page says so and offers
// a reload.
import dynamic from 'next/dynamic';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CollabAnnotation } from '../../../../lib/collab/protocol';
import type { ReportPagePrior, ReportPageSeries } from '../../../../lib/reports/open-report-page';
import type { KeyImage, ReportSection } from '../../../../lib/reports/report-types';
import type { ReportView } from '../../../../lib/reports/report-view';
import { KeyImages, withKeyImage } from './key-images';
import { callReportApi } from './report-api';
import { ReportActions } from './report-actions';
import { ReportVersions, StatusBadge, utcTime } from './report-versions';
import type { ViewerSeries } from '../../../_viewer/viewer-controls';
import styles from './report.module.css';
import { reportPagePath } from '../../../_components/reports/report-path';

// Cornerstone needs the browser
const StudyViewer = dynamic(() => import('./study-viewer'), { ssr: false, loading: () => <p className={styles.muted}>Loading the viewer…</p> });

type SaveState = { kind: 'saved'; at: string | null } | { kind: 'saving' } | { kind: 'failed'; message: string } | { kind: 'conflict' };
interface Content {
  sections: ReportSection[];
  comparisonStudyUid: string | null;
  keyImages: KeyImage[];
}

export interface EditorProps {
  report: ReportView;
  pickLists: Record<string, { label: string; options: string[] }>;
  priors: ReportPagePrior[];
  series: ReportPageSeries[];
  /** The study's series for the viewer */
  viewerSeries: ViewerSeries[];
  /** Kept by teleconsultations of this study, shown in the viewer */
  annotations: CollabAnnotation[];
  author: { id: string; name: string };
  studyInstanceUid: string;
  askedVersion: number | null;
}

export function ReportEditor({ report, pickLists, priors, series, viewerSeries, annotations, author, studyInstanceUid, askedVersion }: EditorProps) {
  const shown = report.version;
  const editable = shown.editable;
  const [content, setContent] = useState<Content>({ sections: shown.sections, comparisonStudyUid: shown.comparisonStudyUid, keyImages: shown.keyImages });
  const [saveState, setSaveState] = useState<SaveState>({ kind: 'saved', at: null });
  const latest = useRef({ content, revision: report.revision, dirty: false, conflict: false });
  const inflight = useRef<Promise<void> | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const save = useCallback(
    async (keepalive = false): Promise<void> => {
      // One save at a time, each based on the revision the last one returned (a flush waits for a save on its way)
      while (inflight.current) await inflight.current;
      const state = latest.current;
      if (!state.dirty || state.conflict) return;
      state.dirty = false;
      if (!latest.current.conflict) setSaveState({ kind: 'saving' });
      const body = {
        baseRevision: state.revision,
        sections: state.content.sections.map(({ key, text, pick }) => ({ key, text, pick: pick ?? null })),
        comparisonStudyUid: state.content.comparisonStudyUid,
        keyImages: state.content.keyImages,
      };
      const request = callReportApi('PUT', `/api/reports/${report.id}`, body, { keepalive }).then((answer) => {
        if (answer.ok) {
          state.revision = answer.report.revision;
          // Typed again while this save was on its way: the next save is already scheduled
          if (!state.dirty) setSaveState({ kind: 'saved', at: new Date().toLocaleTimeString('en-GB') });
        } else if (answer.status === 409) {
          state.conflict = true;
          setSaveState({ kind: 'conflict' });
        } else {
          state.dirty = true;
          setSaveState({ kind: 'failed', message: answer.message });
        }
      });
      inflight.current = request;
      await request;
      inflight.current = null;
    },
    [report.id],
  );

  const change = (next: Content) => {
    latest.current.content = next;
    latest.current.dirty = true;
    setContent(next);
    // Never "Saved" while a change waits for its save (a key image added after the text was saved)
    setSaveState({ kind: 'saving' });
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void save(), 1000);
  };

  /** Before releasing or signing: what is typed is saved first; the revision to send, or null */
  const flush = useCallback(async (): Promise<number | null> => {
    if (timer.current) clearTimeout(timer.current);
    await save();
    const state = latest.current;
    return state.conflict || state.dirty ? null : state.revision;
  }, [save]);

  useEffect(() => {
    if (!editable) return;
    const leave = () => {
      if (timer.current) clearTimeout(timer.current);
      void save(true);
    };
    const hidden = () => document.visibilityState === 'hidden' && leave();
    document.addEventListener('visibilitychange', hidden);
    window.addEventListener('pagehide', leave);
    return () => {
      document.removeEventListener('visibilitychange', hidden);
      window.removeEventListener('pagehide', leave);
    };
  }, [editable, save]);

  const setSection = (key: string, patch: Partial<ReportSection>) => change({ ...content, sections: content.sections.map((section) => (section.key === key ? { ...section, ...patch } : section)) });
  const prior = priors.find((candidate) => candidate.studyInstanceUid === content.comparisonStudyUid);

  return (
    <div className={styles.workspace}>
      <StudyViewer
        studyInstanceUid={studyInstanceUid}
        series={viewerSeries}
        annotations={annotations}
        keyImages={content.keyImages}
        author={author}
        onAddKeyImage={editable ? (image) => change({ ...latest.current.content, keyImages: withKeyImage(latest.current.content.keyImages, image) }) : undefined}
      />
      <div className={styles.layout}>
        <section className={styles.report} aria-label="Report">
          <div className={styles.statusLine}>
            <StatusBadge status={shown.status} />
            <span>
              Version {shown.version}
              {shown.kind !== 'ORIGINAL' ? ` · ${shown.kind === 'AMENDMENT' ? 'amendment' : 'addendum'}` : ''}
            </span>
            {shown.signedAt && (
              <span data-testid="signed-by">
                Signed by {shown.signedBy?.name || 'unknown'} · {utcTime(shown.signedAt)}
              </span>
            )}
            {editable && <SaveStatus state={saveState} />}
          </div>
          {shown.superseded && (
            <p className="alert warn">
              Superseded{shown.supersededByVersion ? ` by version ${shown.supersededByVersion}` : ''}: kept for the record. <a href={reportPagePath(studyInstanceUid, report.referralId)}>Show the current version</a>
            </p>
          )}
          {shown.reason && (
            <p className={styles.reason}>
              <strong>Reason for this {shown.kind === 'ADDENDUM' ? 'addendum' : 'amendment'}:</strong> {shown.reason}
            </p>
          )}
          {saveState.kind === 'conflict' && (
            <div className="alert error" role="alert">
              Changed elsewhere — reload to see the current report. What you typed since the last save is below; copy it before reloading.{' '}
              <button type="button" className="button small" onClick={() => window.location.reload()}>
                Reload
              </button>
            </div>
          )}

          {content.sections.map((section) => (
            <div key={section.key} className={styles.section}>
              {editable ? (
                <>
                  <label htmlFor={`section-${section.key}`} className={styles.heading}>
                    {section.title}
                  </label>
                  <textarea
                    id={`section-${section.key}`}
                    value={section.text}
                    rows={section.key === 'findings' ? 8 : 3}
                    onChange={(event) => setSection(section.key, { text: event.target.value })}
                  />
                  {pickLists[section.key] && (
                    <div className={styles.pick}>
                      <label htmlFor={`pick-${section.key}`}>{pickLists[section.key].label}</label>
                      <select id={`pick-${section.key}`} value={section.pick ?? ''} onChange={(event) => setSection(section.key, { pick: event.target.value || null })}>
                        <option value="">—</option>
                        {pickLists[section.key].options.map((option) => (
                          <option key={option}>{option}</option>
                        ))}
                      </select>
                    </div>
                  )}
                </>
              ) : (
                <>
                  <h2 className={styles.heading}>{section.title}</h2>
                  <p className={styles.text}>{section.text || '—'}</p>
                  {section.pick && (
                    <p className={styles.pickShown}>
                      {pickLists[section.key]?.label ?? 'Pick'}: <strong>{section.pick}</strong>
                    </p>
                  )}
                </>
              )}
            </div>
          ))}

          <div className={styles.section}>
            {editable ? (
              <>
                <label htmlFor="comparison" className={styles.heading}>
                  Compared with
                </label>
                <select id="comparison" value={content.comparisonStudyUid ?? ''} onChange={(event) => change({ ...content, comparisonStudyUid: event.target.value || null })}>
                  <option value="">No prior study</option>
                  {priors.map((candidate) => (
                    <option key={candidate.studyInstanceUid} value={candidate.studyInstanceUid}>
                      {priorLabel(candidate)}
                    </option>
                  ))}
                </select>
              </>
            ) : (
              <>
                <h2 className={styles.heading}>Compared with</h2>
                <p className={styles.text}>{prior ? priorLabel(prior) : content.comparisonStudyUid ? content.comparisonStudyUid : 'No prior study'}</p>
              </>
            )}
          </div>

          <KeyImages keyImages={content.keyImages} series={series} editable={editable} onChange={(keyImages) => change({ ...content, keyImages })} />

          <ReportActions report={report} editable={editable} viewingLatest={askedVersion === null || askedVersion === report.versions[report.versions.length - 1]?.version} flush={flush} studyInstanceUid={studyInstanceUid} />
        </section>
        <ReportVersions report={report} studyInstanceUid={studyInstanceUid} />
      </div>
    </div>
  );
}

function priorLabel(prior: ReportPagePrior): string {
  const date = /^\d{8}$/.test(prior.studyDate) ? `${prior.studyDate.slice(0, 4)}-${prior.studyDate.slice(4, 6)}-${prior.studyDate.slice(6, 8)}` : prior.studyDate || 'no date';
  return `${date} · ${prior.modalities.join(', ') || '—'} · ${prior.description || 'no description'}`;
}

function SaveStatus({ state }: { state: SaveState }) {
  const text =
    state.kind === 'saving' ? 'Saving…' : state.kind === 'saved' ? (state.at ? `Saved ${state.at}` : 'Saved') : state.kind === 'failed' ? `Not saved: ${state.message}` : 'Not saved: changed elsewhere';
  return (
    <span className={`${styles.saveState} ${state.kind === 'failed' || state.kind === 'conflict' ? styles.saveBad : ''}`} role="status" data-testid="save-state">
      {text}
    </span>
  );
}

'use client';
// The study beside the report (the portal's one viewer, app/_viewer): series
// list, scrolling, window/level with the CT presets, zoom and pan, the
// measurement tools; "Add key image" adds the image shown with the
// annotations on it. The annotations a teleconsultation of this study kept
// are shown (locked), and so are the key images' own snapshots. Loaded with
// ssr: false (Cornerstone needs the browser).
import { useEffect, useRef, useState } from 'react';
import type { CollabAnnotation } from '../../../../lib/collab/protocol';
import type { KeyImage } from '../../../../lib/reports/report-types';
import { AnnotationManager } from '../../../_viewer/annotation-manager';
import { ArrowTextDialog } from '../../../_viewer/arrow-text-dialog';
import { ViewerEngine, type PrimaryTool, type ViewportInfo } from '../../../_viewer/viewer-engine';
import { SeriesThumbnail, ToolButtons, WindowPresetSelect, type ViewerSeries } from '../../../_viewer/viewer-controls';
import { annotationsOfKeyImage, keyImageOf, REPORT_ANNOTATION_COLOR } from './key-image-snapshot';
import styles from './study-viewer.module.css';

export interface StudyViewerProps {
  studyInstanceUid: string;
  series: ViewerSeries[];
  /** Kept by teleconsultations of this study (shown locked) */
  annotations: CollabAnnotation[];
  /** The report's key images: their annotations are shown (those of the first render), and one added again is said so */
  keyImages: KeyImage[];
  author: { id: string; name: string };
  /** Absent: the version shown is read-only (no key image to add) */
  onAddKeyImage?: (image: KeyImage) => void;
}

/** No freehand (its SR geometry is the room's export's), no laser: nobody else is looking */
const REPORT_TOOLS: PrimaryTool[] = ['WindowLevel', 'Pan', 'Zoom', 'Length', 'Angle', 'ArrowAnnotate', 'EllipticalROI', 'RectangleROI'];

export default function StudyViewer({ studyInstanceUid, series, annotations, keyImages, author, onAddKeyImage }: StudyViewerProps) {
  const hostRef = useRef<HTMLDivElement | null>(null);
  const engineRef = useRef<ViewerEngine | null>(null);
  const [{ manager, mine }] = useState(() => loadManager(studyInstanceUid, annotations, keyImages, author, Boolean(onAddKeyImage)));
  const [info, setInfo] = useState<ViewportInfo | null>(null);
  const [tool, setTool] = useState<PrimaryTool>('WindowLevel');
  const [askingText, setAskingText] = useState<((text: string | null) => void) | null>(null);
  const [notice, setNotice] = useState('');
  const first = useRef(series[0]?.seriesInstanceUid);

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const engine = new ViewerEngine(studyInstanceUid, () => REPORT_ANNOTATION_COLOR, {
      onLocalState: () => undefined,
      onLocalInteraction: () => undefined,
      onDrawing: () => undefined,
      onCommit: (uid, tool, ref, geometry) => {
        mine.add(uid);
        const at = new Date().toISOString();
        manager.upsert({ ...geometry, uid, tool, ref, authorUserId: author.id, authorName: author.name, color: REPORT_ANNOTATION_COLOR, version: 1, updatedAt: at }, 'viewer');
      },
      onRemoved: (uid) => manager.remove(uid, 'viewer'),
      onLaser: () => undefined,
      onInfo: (infos) => setInfo(infos[0] ?? null),
      onRemoteRendered: () => undefined,
      askText: () => new Promise((resolve) => setAskingText(() => resolve)),
    });
    engineRef.current = engine;
    let cancelled = false;
    void engine.mount([host]).then(async () => {
      if (cancelled) return;
      engine.showAnnotationsOf(manager);
      if (first.current) await engine.showSeries(0, first.current, 0, false);
      exposeForTests(engine);
    });
    const observer = new ResizeObserver(() => engine.resize());
    observer.observe(host);
    return () => {
      cancelled = true;
      observer.disconnect();
      engine.destroy();
      engineRef.current = null;
    };
  }, [studyInstanceUid, manager, mine, author.id, author.name]);

  const chooseTool = (next: PrimaryTool) => {
    engineRef.current?.setTool(next);
    setTool(next);
  };

  const addKeyImage = () => {
    const engine = engineRef.current;
    if (!engine || !onAddKeyImage) return;
    // A measurement just finished is committed before the snapshot is taken
    engine.settleAnnotations();
    const image = engine.activeImage();
    if (!image) return;
    const keyImage = keyImageOf(image, manager.forImage(image));
    const again = keyImages.some((other) => other.sopUid === keyImage.sopUid && other.frame === keyImage.frame);
    onAddKeyImage(keyImage);
    const count = keyImage.annotations?.length ?? 0;
    setNotice(`Key image ${again ? 'taken again' : 'added'} (image ${(info?.imageIndex ?? 0) + 1}, ${count} annotation${count === 1 ? '' : 's'}).`);
  };

  const shownSeries = series.find((entry) => entry.seriesInstanceUid === info?.seriesInstanceUid);

  return (
    <section
      className={styles.viewer}
      aria-label="Images of the study"
      onKeyDown={(event) => {
        const target = event.target as HTMLElement;
        if (['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName)) return;
        if (event.key === 'ArrowDown' || event.key === 'PageDown' || event.key === 'ArrowUp' || event.key === 'PageUp') {
          event.preventDefault();
          void engineRef.current?.scroll(event.key === 'ArrowDown' || event.key === 'PageDown' ? 1 : -1);
        } else if (event.key === 'Delete' || event.key === 'Backspace') {
          engineRef.current?.deleteSelected();
        }
      }}
    >
      <nav className={styles.series} aria-label="Series">
        {series.map((entry) => (
          <button
            key={entry.seriesInstanceUid}
            type="button"
            className={styles.seriesItem}
            aria-current={info?.seriesInstanceUid === entry.seriesInstanceUid}
            onClick={() => void engineRef.current?.showSeries(0, entry.seriesInstanceUid)}
          >
            <SeriesThumbnail studyInstanceUid={studyInstanceUid} series={entry} />
          </button>
        ))}
      </nav>
      <div className={styles.toolbar} role="toolbar" aria-label="Viewer tools">
        <ToolButtons tools={REPORT_TOOLS} active={tool} className={styles.button} onChoose={chooseTool} />
        <WindowPresetSelect onChoose={(preset) => engineRef.current?.setWindow(preset.windowWidth, preset.windowCenter)} />
        <button type="button" className={styles.button} onClick={() => engineRef.current?.reset()}>
          Reset
        </button>
        <button type="button" className={styles.button} aria-label="Previous image" onClick={() => void engineRef.current?.scroll(-1)}>
          ▲
        </button>
        <button type="button" className={styles.button} aria-label="Next image" onClick={() => void engineRef.current?.scroll(1)}>
          ▼
        </button>
      </div>
      <div className={styles.pane}>
        <div className={styles.canvasHost} ref={hostRef} onContextMenu={(event) => event.preventDefault()} data-testid="report-viewport" />
        <div className={`${styles.overlay} ${styles.topLeft}`}>{shownSeries ? `${shownSeries.modality} ${shownSeries.seriesNumber ?? ''} · ${shownSeries.description}` : ''}</div>
        {(info ? info.loading : series.length > 0) && (
          <div className={styles.loading} role="status">
            <progress aria-label="Loading the series" />
            <span>Loading the series…</span>
          </div>
        )}
        {info?.error && (
          <div className={styles.loading} role="alert">
            {info.error}
          </div>
        )}
        <div className={`${styles.overlay} ${styles.bottomLeft}`} data-testid="image-index-0">
          {info?.imageCount ? `Im ${info.imageIndex + 1}/${info.imageCount}` : ''}
        </div>
        <div className={`${styles.overlay} ${styles.bottomRight}`}>
          <div data-testid="window-0">{info && info.windowWidth !== null ? `W ${info.windowWidth} L ${info.windowCenter}` : ''}</div>
          {info?.imageCount ? <div data-testid="zoom-0">Zoom {Math.round(info.zoom * 100)}%</div> : null}
        </div>
      </div>
      {onAddKeyImage && (
        <div className={styles.footer}>
          <button type="button" className="button small" onClick={addKeyImage} disabled={!info?.imageCount}>
            Add key image
          </button>
          <span role="status" className={styles.notice}>
            {notice}
          </span>
        </div>
      )}
      {askingText && (
        <ArrowTextDialog
          onDone={(text) => {
            askingText(text);
            setAskingText(null);
          }}
        />
      )}
    </section>
  );
}

/** The page's annotations: the teleconsultations' (locked), the key images' snapshots (editable in a draft), then what is
 *  drawn here; `mine`: the uids the user may change on this page. */
function loadManager(studyInstanceUid: string, annotations: CollabAnnotation[], keyImages: KeyImage[], author: { id: string; name: string }, editable: boolean) {
  const mine = new Set<string>();
  const manager = new AnnotationManager((annotation) => mine.has(annotation.uid));
  for (const annotation of annotations) manager.upsert(annotation, 'outside');
  for (const image of keyImages) {
    for (const annotation of annotationsOfKeyImage(studyInstanceUid, image, author)) {
      if (manager.has(annotation.uid)) continue;
      if (editable) mine.add(annotation.uid);
      manager.upsert(annotation, 'outside');
    }
  }
  return { manager, mine };
}

/** Read-only handles for the end-to-end tests (what is on screen), as the room's viewer has. */
function exposeForTests(engine: ViewerEngine): void {
  const target = window as unknown as { __telepacsViewer?: unknown };
  target.__telepacsViewer = { infos: () => engine.viewportInfos(), annotations: () => engine.shownAnnotations(), activeImage: () => engine.activeImage() };
}

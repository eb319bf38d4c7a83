'use client';
// The collaborative viewer (Cornerstone3D): series list, toolbar, 1×1 / 1×2 /
// 2×2 panes with their overlays, the laser pointers of everyone. Loaded with
// ssr: false (Cornerstone needs the browser). Every change the user makes
// goes to the session; the session drives it when following the presenter.
import { useCallback, useEffect, useRef, useState } from 'react';
import { getShouldUseCPURendering } from '@cornerstonejs/core';
import { VIEWPORT_LAYOUTS, viewportCount, type ViewportLayout } from '../../../lib/collab/protocol';
import type { ConsultSession, LaserMark } from '../_client/consult-session';
import { ArrowTextDialog } from '../../_viewer/arrow-text-dialog';
import { ViewerEngine, type PrimaryTool, type ViewportInfo } from '../../_viewer/viewer-engine';
import { SeriesThumbnail, ToolButtons, VIEWER_TOOLS, WindowPresetSelect, type ViewerSeries } from '../../_viewer/viewer-controls';
import styles from './consultation.module.css';

/** The room's series list: the viewer's own series shape */
export type SeriesSummary = ViewerSeries;

const ROOM_TOOLS = VIEWER_TOOLS.map((entry) => entry.tool);

const LAYOUT_LABELS: Record<ViewportLayout, string> = { '1x1': '1×1', '1x2': '1×2', '2x2': '2×2' };

export default function CollabViewer({
  session,
  studyInstanceUid,
  series,
  myColor,
  lasers,
}: {
  session: ConsultSession;
  studyInstanceUid: string;
  series: SeriesSummary[];
  myColor: string;
  lasers: LaserMark[];
}) {
  const paneRefs = useRef<(HTMLDivElement | null)[]>([null, null, null, null]);
  const engineRef = useRef<ViewerEngine | null>(null);
  const [layout, setLayoutState] = useState<ViewportLayout>('1x1');
  const [active, setActive] = useState(0);
  const [tool, setToolState] = useState<PrimaryTool>('WindowLevel');
  const [infos, setInfos] = useState<ViewportInfo[]>([]);
  const [askingText, setAskingText] = useState<((text: string | null) => void) | null>(null);
  const colorRef = useRef(myColor);
  colorRef.current = myColor;

  useEffect(() => {
    const engine = new ViewerEngine(studyInstanceUid, () => colorRef.current, {
      onLocalState: (state) => session.localViewerState(state),
      onLocalInteraction: () => session.localInteraction(),
      onDrawing: (uid, tool, ref, geometry) => session.localDrawing(uid, tool, ref, geometry),
      onCommit: (uid, tool, ref, geometry) => session.localCommit(uid, tool, ref, geometry),
      onRemoved: (uid) => session.localRemoved(uid),
      onLaser: (laser) => session.localLaser(laser),
      // Comes with every change (local or followed): the overlays, and the laser marks drawn from the panes' cameras
      onInfo: (next) => {
        setInfos(next);
        setLayoutState(engine.getLayout());
        setActive(engine.activeViewport());
      },
      onRemoteRendered: (sentAt) => session.remoteRendered(sentAt),
      askText: () => new Promise((resolve) => setAskingText(() => resolve)),
    });
    engineRef.current = engine;
    let cancelled = false;
    const elements = paneRefs.current.filter((element): element is HTMLDivElement => Boolean(element));
    void engine.mount(elements).then(async () => {
      if (cancelled) return;
      // Until the presenter's state arrives, show the first series
      if (series[0]) await engine.showSeries(0, series[0].seriesInstanceUid, 0, false);
      if (cancelled) return;
      session.attachViewer(engine);
      exposeForTests(engine);
    });
    const observer = new ResizeObserver(() => engine.resize());
    for (const element of elements) observer.observe(element);
    return () => {
      cancelled = true;
      observer.disconnect();
      session.attachViewer(null);
      engine.destroy();
      engineRef.current = null;
    };
  }, [session, studyInstanceUid, series]);

  const engine = engineRef.current;

  const chooseTool = useCallback((next: PrimaryTool) => {
    engineRef.current?.setTool(next);
    setToolState(next);
    if (next !== 'Laser') session.localLaser(null);
  }, [session]);

  // Arrow keys scroll wherever the focus is (a reader's hand stays on the keys),
  // except while typing in a field
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target && (target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName))) return;
      const current = engineRef.current;
      if (!current || event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key === 'ArrowDown' || event.key === 'PageDown') {
        event.preventDefault();
        session.localInteraction();
        void current.scroll(1);
      } else if (event.key === 'ArrowUp' || event.key === 'PageUp') {
        event.preventDefault();
        session.localInteraction();
        void current.scroll(-1);
      } else if (event.key === 'Delete' || event.key === 'Backspace') {
        current.deleteSelected();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [session]);

  return (
    <>
      <nav className={styles.seriesPanel} aria-label="Series">
        <h2>Series</h2>
        {series.map((entry) => (
          <button
            key={entry.seriesInstanceUid}
            type="button"
            className={styles.seriesItem}
            aria-current={infos[active]?.seriesInstanceUid === entry.seriesInstanceUid}
            onClick={() => {
              session.localInteraction();
              void engineRef.current?.showSeries(engineRef.current.activeViewport(), entry.seriesInstanceUid);
            }}
          >
            <SeriesThumbnail studyInstanceUid={studyInstanceUid} series={entry} />
          </button>
        ))}
      </nav>
      <section className={styles.viewerArea} aria-label="Images">
        <div className={styles.toolbar} role="toolbar" aria-label="Viewer tools">
          <div className={styles.group} role="group" aria-label="Layout">
            {VIEWPORT_LAYOUTS.map((option) => (
              <button
                key={option}
                type="button"
                className={styles.darkButton}
                aria-pressed={layout === option}
                onClick={() => {
                  session.localInteraction();
                  void engineRef.current?.setLayout(option, series.map((entry) => entry.seriesInstanceUid));
                }}
              >
                {LAYOUT_LABELS[option]}
              </button>
            ))}
          </div>
          <div className={styles.group} role="group" aria-label="Tools">
            <ToolButtons tools={ROOM_TOOLS} active={tool} className={styles.darkButton} onChoose={chooseTool} />
          </div>
          <div className={styles.group} role="group" aria-label="Image">
            <WindowPresetSelect
              onChoose={(preset) => {
                session.localInteraction();
                engineRef.current?.setWindow(preset.windowWidth, preset.windowCenter);
              }}
            />
            <button type="button" className={styles.darkButton} onClick={() => { session.localInteraction(); engineRef.current?.invert(); }}>
              Invert
            </button>
            <button type="button" className={styles.darkButton} onClick={() => { session.localInteraction(); engineRef.current?.reset(); }}>
              Reset
            </button>
            <button type="button" className={styles.darkButton} aria-label="Previous image" onClick={() => { session.localInteraction(); void engineRef.current?.scroll(-1); }}>
              ▲
            </button>
            <button type="button" className={styles.darkButton} aria-label="Next image" onClick={() => { session.localInteraction(); void engineRef.current?.scroll(1); }}>
              ▼
            </button>
          </div>
        </div>
        <div className={styles.grid} data-layout={layout}>
          {[0, 1, 2, 3].map((index) => {
            const info = infos[index];
            const description = series.find((entry) => entry.seriesInstanceUid === info?.seriesInstanceUid);
            return (
              <div key={index} className={styles.pane} data-active={index === active} data-pane={index} hidden={index >= viewportCount(layout)}>
                <div
                  className={styles.canvasHost}
                  ref={(element) => {
                    paneRefs.current[index] = element;
                  }}
                  onContextMenu={(event) => event.preventDefault()}
                />
                {info && (
                  <>
                    <div className={`${styles.overlay} ${styles.topLeft}`}>
                      {description ? `${description.modality} ${description.seriesNumber ?? ''} · ${description.description}` : ''}
                      {info.loading && <div>Loading…</div>}
                      {info.error && <div role="alert">{info.error}</div>}
                    </div>
                    <div className={`${styles.overlay} ${styles.bottomLeft}`} data-testid={`image-index-${index}`}>
                      {info.imageCount ? `Im ${info.imageIndex + 1}/${info.imageCount}` : ''}
                    </div>
                    <div className={`${styles.overlay} ${styles.bottomRight}`}>
                      <div data-testid={`window-${index}`}>{info.windowWidth !== null ? `W ${info.windowWidth} L ${info.windowCenter}` : ''}</div>
                      {info.imageCount ? <div data-testid={`zoom-${index}`}>Zoom {Math.round(info.zoom * 100)}%</div> : null}
                    </div>
                  </>
                )}
                {lasers
                  .filter((mark) => mark.viewportIndex === index)
                  .map((mark) => {
                    const point = engine?.worldToCanvas(index, mark.world);
                    if (!point) return null;
                    return <span key={mark.peerId} className={styles.laser} style={{ left: point[0], top: point[1], color: mark.color }} aria-hidden="true" data-testid="laser" />;
                  })}
              </div>
            );
          })}
        </div>
      </section>
      {askingText && (
        <ArrowTextDialog
          onDone={(text) => {
            askingText(text);
            setAskingText(null);
          }}
        />
      )}
    </>
  );
}

/** Read-only handles for the end-to-end tests and the latency bench (what is on screen). */
function exposeForTests(engine: ViewerEngine): void {
  const target = window as unknown as { __telepacsViewer?: unknown };
  target.__telepacsViewer = {
    state: () => engine.getState(),
    infos: () => engine.viewportInfos(),
    annotations: () => engine.shownAnnotations(),
    renderer: () => (getShouldUseCPURendering() ? 'cpu' : 'webgl'),
  };
}

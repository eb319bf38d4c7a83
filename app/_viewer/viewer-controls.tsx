'use client';
// The viewer's controls that every viewer page shows the same way: a series'
// thumbnail and label, the tool buttons and the CT window presets. Each page styles them with its own
// class and chooses which tools it offers (the report page has no laser
// pointer: nobody else is looking).
import { CT_PRESETS, type PrimaryTool } from './viewer-engine';

export const VIEWER_TOOLS: readonly { tool: PrimaryTool; label: string; title: string }[] = [
  { tool: 'WindowLevel', label: 'W/L', title: 'Window/level (drag)' },
  { tool: 'Pan', label: 'Pan', title: 'Pan (also middle button)' },
  { tool: 'Zoom', label: 'Zoom', title: 'Zoom (also right button)' },
  { tool: 'Length', label: 'Length', title: 'Measure a length' },
  { tool: 'Angle', label: 'Angle', title: 'Measure an angle' },
  { tool: 'ArrowAnnotate', label: 'Arrow', title: 'Arrow with text' },
  { tool: 'EllipticalROI', label: 'Ellipse', title: 'Elliptical ROI with statistics' },
  { tool: 'RectangleROI', label: 'Rectangle', title: 'Rectangular ROI with statistics' },
  { tool: 'PlanarFreehandROI', label: 'Freehand', title: 'Freehand ROI' },
  { tool: 'Laser', label: 'Laser', title: 'Laser pointer: the others see where you point' },
];

export function ToolButtons({ tools, active, className, onChoose }: { tools: readonly PrimaryTool[]; active: PrimaryTool; className: string; onChoose(tool: PrimaryTool): void }) {
  return (
    <>
      {VIEWER_TOOLS.filter((entry) => tools.includes(entry.tool)).map((entry) => (
        <button key={entry.tool} type="button" className={className} aria-pressed={active === entry.tool} title={entry.title} onClick={() => onChoose(entry.tool)}>
          {entry.label}
        </button>
      ))}
    </>
  );
}

export function WindowPresetSelect({ onChoose }: { onChoose(preset: { windowWidth: number; windowCenter: number }): void }) {
  return (
    <select
      aria-label="Window preset"
      value=""
      onChange={(event) => {
        const preset = CT_PRESETS.find((entry) => entry.name === event.target.value);
        if (preset) onChoose(preset);
      }}
    >
      <option value="">Window preset…</option>
      {CT_PRESETS.map((preset) => (
        <option key={preset.name} value={preset.name}>
          {preset.name} ({preset.windowWidth}/{preset.windowCenter})
        </option>
      ))}
    </select>
  );
}

/** A series of the study as the viewer pages list it */
export interface ViewerSeries {
  seriesInstanceUid: string;
  seriesNumber: number | null;
  modality: string;
  description: string;
  numberOfInstances: number;
}

/** What a series button shows: its thumbnail (our DICOMweb), name and image count */
export function SeriesThumbnail({ studyInstanceUid, series }: { studyInstanceUid: string; series: ViewerSeries }) {
  return (
    <>
      {/* eslint-disable-next-line @next/next/no-img-element -- our DICOMweb thumbnail, same origin, session cookie */}
      <img src={`/dicomweb/studies/${studyInstanceUid}/series/${series.seriesInstanceUid}/thumbnail`} alt="" loading="lazy" />
      <span>
        {series.modality} {series.seriesNumber ?? ''} · {series.description || 'No description'}
      </span>
      <small>{series.numberOfInstances} images</small>
    </>
  );
}

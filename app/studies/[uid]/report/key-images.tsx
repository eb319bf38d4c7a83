'use client';
// The report's key images: listed with a remove button; added from the
// study's series (click a thumbnail: the image shown under it, the middle one
// of the series at first, stepped through with the arrows).
import { useState } from 'react';
import type { ReportPageSeries } from '../../../../lib/reports/open-report-page';
import type { KeyImage } from '../../../../lib/reports/report-types';
import styles from './report.module.css';

interface Props {
  keyImages: KeyImage[];
  series: ReportPageSeries[];
  studyInstanceUid: string;
  editable: boolean;
  onChange: (keyImages: KeyImage[]) => void;
}

export function KeyImages({ keyImages, series, studyInstanceUid, editable, onChange }: Props) {
  if (!editable && keyImages.length === 0) return null;
  const describe = (image: KeyImage) => {
    const found = series.find((candidate) => candidate.seriesInstanceUid === image.seriesUid);
    const index = found ? found.instances.findIndex((instance) => instance.sopInstanceUid === image.sopUid) : -1;
    if (!found || index < 0) return `Image ${image.sopUid}`;
    return `Series ${found.seriesNumber ?? '—'} ${found.modality}${found.description ? ` (${found.description})` : ''} · image ${index + 1} of ${found.instances.length}`;
  };
  return (
    <section className={styles.section} aria-labelledby="key-images-heading">
      <h2 id="key-images-heading" className={styles.heading}>
        Key images
      </h2>
      {keyImages.length === 0 ? (
        <p className={styles.muted}>None yet.</p>
      ) : (
        <ol className={styles.keyImages} data-testid="key-images">
          {keyImages.map((image, index) => (
            <li key={`${image.sopUid}-${image.frame}`}>
              <span>{describe(image)}</span>
              {editable && (
                <button type="button" className="button small secondary" onClick={() => onChange(keyImages.filter((_, other) => other !== index))} aria-label={`Remove key image ${index + 1}`}>
                  Remove
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
      {editable && series.length > 0 && (
        <>
          <p className={styles.muted}>Add an image: pick it in its series and click the thumbnail.</p>
          <ul className={styles.seriesPicker}>
            {series.map((one) => (
              <SeriesPicker key={one.seriesInstanceUid} series={one} studyInstanceUid={studyInstanceUid} onAdd={(image) => !keyImages.some((existing) => existing.sopUid === image.sopUid) && onChange([...keyImages, image])} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function SeriesPicker({ series, studyInstanceUid, onAdd }: { series: ReportPageSeries; studyInstanceUid: string; onAdd: (image: KeyImage) => void }) {
  const count = series.instances.length;
  const [index, setIndex] = useState(Math.floor((count - 1) / 2));
  if (count === 0) return null;
  const add = () => onAdd({ seriesUid: series.seriesInstanceUid, sopUid: series.instances[index].sopInstanceUid, frame: 1 });
  return (
    <li>
      <button type="button" className={styles.thumb} onClick={add} aria-label={`Add image ${index + 1} of series ${series.seriesNumber ?? ''} as a key image`}>
        {/* eslint-disable-next-line @next/next/no-img-element -- our DICOMweb, same origin, session cookie */}
        <img src={`/dicomweb/studies/${studyInstanceUid}/series/${series.seriesInstanceUid}/thumbnail`} alt="" width={96} height={96} loading="lazy" />
      </button>
      <div>
        <strong>
          {series.seriesNumber ?? '—'} · {series.modality || '—'}
        </strong>
        <span className={styles.muted}>{series.description || 'no description'}</span>
        <span className={styles.stepper}>
          <button type="button" className="button small secondary" onClick={() => setIndex(Math.max(0, index - 1))} disabled={index === 0} aria-label="Previous image">
            ‹
          </button>
          <span>
            image {index + 1} of {count}
          </span>
          <button type="button" className="button small secondary" onClick={() => setIndex(Math.min(count - 1, index + 1))} disabled={index === count - 1} aria-label="Next image">
            ›
          </button>
        </span>
        <button type="button" className="button small" onClick={add}>
          Add image
        </button>
      </div>
    </li>
  );
}

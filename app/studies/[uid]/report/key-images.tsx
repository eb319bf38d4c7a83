'use client';
// The report's key images, listed with the annotations each keeps and a
// remove button. They are added from the viewer beside the report ("Add key
// image": the image shown, with the annotations on it).
import type { ReportPageSeries } from '../../../../lib/reports/open-report-page';
import type { KeyImage } from '../../../../lib/reports/report-types';
import styles from './report.module.css';

interface Props {
  keyImages: KeyImage[];
  series: ReportPageSeries[];
  editable: boolean;
  onChange: (keyImages: KeyImage[]) => void;
}

export function KeyImages({ keyImages, series, editable, onChange }: Props) {
  if (!editable && keyImages.length === 0) return null;
  const describe = (image: KeyImage) => {
    const found = series.find((candidate) => candidate.seriesInstanceUid === image.seriesUid);
    const index = found ? found.instances.findIndex((instance) => instance.sopInstanceUid === image.sopUid) : -1;
    const frame = image.frame > 1 ? ` frame ${image.frame}` : '';
    if (!found || index < 0) return `Image ${image.sopUid}${frame}`;
    return `Series ${found.seriesNumber ?? '—'} ${found.modality}${found.description ? ` (${found.description})` : ''} · image ${index + 1} of ${found.instances.length}${frame}`;
  };
  return (
    <section className={styles.section} aria-labelledby="key-images-heading">
      <h2 id="key-images-heading" className={styles.heading}>
        Key images
      </h2>
      {keyImages.length === 0 ? (
        <p className={styles.muted}>None yet{editable ? ': show the image in the viewer and press “Add key image”.' : '.'}</p>
      ) : (
        <ol className={styles.keyImages} data-testid="key-images">
          {keyImages.map((image, index) => {
            const count = image.annotations?.length ?? 0;
            return (
              <li key={`${image.sopUid}-${image.frame}`}>
                <span>
                  {describe(image)} · {count} annotation{count === 1 ? '' : 's'}
                </span>
                {editable && (
                  <button type="button" className="button small secondary" onClick={() => onChange(keyImages.filter((_, other) => other !== index))} aria-label={`Remove key image ${index + 1}`}>
                    Remove
                  </button>
                )}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

/** The list with an image added: an image already there is replaced (its annotations taken again). */
export function withKeyImage(keyImages: KeyImage[], added: KeyImage): KeyImage[] {
  const at = keyImages.findIndex((image) => image.sopUid === added.sopUid && image.frame === added.frame);
  return at < 0 ? [...keyImages, added] : keyImages.map((image, index) => (index === at ? added : image));
}

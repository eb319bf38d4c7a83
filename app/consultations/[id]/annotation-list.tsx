'use client';
// The session's annotations, in the order they were made: what was measured,
// by whom (in their colour); a click shows the image, the author (or the
// host) can delete.
import { describeAnnotation } from '../../../lib/collab/describe-annotation';
import type { ConsultSession, SessionSnapshot } from '../_client/consult-session';
import styles from './consultation.module.css';

export function AnnotationList({ session, snapshot, canDeleteAny }: { session: ConsultSession; snapshot: SessionSnapshot; canDeleteAny: boolean }) {
  return (
    <section aria-labelledby="annotations-title">
      <h2 id="annotations-title">Annotations ({snapshot.annotations.length})</h2>
      {snapshot.annotations.length === 0 ? (
        <p className={styles.muted}>None yet. Choose Length, Angle, Arrow, Ellipse, Rectangle or Freehand and draw on the image: everyone sees it as you draw.</p>
      ) : (
        <ul className={styles.annotations} data-testid="annotation-list">
          {snapshot.annotations.map((annotation) => (
            <li key={annotation.uid} data-uid={annotation.uid}>
              <span className={styles.dot} style={{ background: annotation.color, marginTop: '0.35rem' }} aria-hidden="true" />
              <button type="button" className={styles.jump} onClick={() => session.jumpTo(annotation.ref)} title="Show this image">
                {describeAnnotation(annotation)}
                <small>{annotation.authorName}</small>
              </button>
              {(canDeleteAny || annotation.authorUserId === snapshot.userId) && (
                <button type="button" className={styles.darkButton} aria-label={`Delete ${describeAnnotation(annotation)}`} onClick={() => session.deleteAnnotation(annotation.uid)}>
                  Delete
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

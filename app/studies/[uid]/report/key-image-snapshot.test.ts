import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CollabAnnotation } from '../../../../lib/collab/protocol';
import { ZKeyImage } from '../../../../lib/reports/report-types';
import { AnnotationManager } from '../../../_viewer/annotation-manager';
import { annotationsOfKeyImage, keyImageOf } from './key-image-snapshot';

function annotation(uid: string, where: Partial<CollabAnnotation['ref']>): CollabAnnotation {
  return {
    uid,
    tool: 'Length',
    ref: { studyInstanceUid: '1.2', seriesInstanceUid: '1.2.1', sopInstanceUid: '1.2.1.1', frameNumber: 1, frameOfReferenceUid: '1.9', ...where },
    points: [[0, 0, 0], [10, 0, 0]],
    imagePoints: [[0, 0], [20, 0]],
    viewPlaneNormal: [0, 0, 1],
    viewUp: [0, -1, 0],
    stats: { length: 10 },
    authorUserId: 'u1',
    authorName: 'Ольга',
    color: '#facc15',
    version: 1,
    updatedAt: '2026-12-06T10:00:00.000Z',
  };
}

describe('a key image snapshot', () => {
  it('gives a key image the annotations on its image, as the report keeps them', () => {
    const manager = new AnnotationManager();
    manager.upsert(annotation('a', {}), 'outside');
    manager.upsert(annotation('b', { frameNumber: 2 }), 'outside');
    const image = { studyInstanceUid: '1.2', seriesInstanceUid: '1.2.1', sopInstanceUid: '1.2.1.1', frameNumber: 1, frameOfReferenceUid: '1.9' };
    assert.deepEqual(keyImageOf(image, manager.forImage(image)), {
      seriesUid: '1.2.1',
      sopUid: '1.2.1.1',
      frame: 1,
      annotations: [{ uid: 'a', tool: 'Length', points: [[0, 0, 0], [10, 0, 0]], imagePoints: [[0, 0], [20, 0]], viewPlaneNormal: [0, 0, 1], viewUp: [0, -1, 0], stats: { length: 10 }, frameOfReferenceUid: '1.9' }],
    });
  });

  it('is what the report accepts, at most 50 annotations, and shows again on its image', () => {
    const image = { studyInstanceUid: '1.2', seriesInstanceUid: '1.2.1', sopInstanceUid: '1.2.1.1', frameNumber: 1, frameOfReferenceUid: '1.9' };
    const keyImage = ZKeyImage.parse(keyImageOf(image, [annotation('a', {})]));
    const [shown] = annotationsOfKeyImage('1.2', keyImage, { id: 'u1', name: 'Ольга' });
    assert.deepEqual(shown.ref, image);
    assert.deepEqual(shown.points, [[0, 0, 0], [10, 0, 0]]);
    const many = keyImageOf(image, Array.from({ length: 51 }, (_, index) => annotation(`a${index}`, {})));
    assert.equal(ZKeyImage.safeParse(many).success, false);
  });
});

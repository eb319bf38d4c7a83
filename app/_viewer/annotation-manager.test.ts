import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CollabAnnotation } from '../../lib/collab/protocol';
import { AnnotationManager, type AnnotationChange } from './annotation-manager';

function annotation(uid: string, where: Partial<CollabAnnotation['ref']>, author = 'u1'): CollabAnnotation {
  return {
    uid,
    tool: 'Length',
    ref: { studyInstanceUid: '1.2', seriesInstanceUid: '1.2.1', sopInstanceUid: '1.2.1.1', frameNumber: 1, frameOfReferenceUid: '1.9', ...where },
    points: [[0, 0, 0], [10, 0, 0]],
    imagePoints: [[0, 0], [20, 0]],
    viewPlaneNormal: [0, 0, 1],
    viewUp: [0, -1, 0],
    stats: { length: 10 },
    authorUserId: author,
    authorName: 'Ольга',
    color: '#facc15',
    version: 1,
    updatedAt: '2026-12-06T10:00:00.000Z',
  };
}

describe('the annotation manager', () => {
  it('finds annotations by study, series, FrameOfReference and image (instance and frame)', () => {
    const manager = new AnnotationManager();
    manager.upsert(annotation('a', {}), 'outside');
    manager.upsert(annotation('b', { frameNumber: 2 }), 'outside');
    manager.upsert(annotation('c', { seriesInstanceUid: '1.2.2', sopInstanceUid: '1.2.2.1' }), 'outside');
    manager.upsert(annotation('d', { studyInstanceUid: '1.3', seriesInstanceUid: '1.3.1', sopInstanceUid: '1.3.1.1', frameOfReferenceUid: '' }), 'outside');
    const uids = (list: CollabAnnotation[]) => list.map((one) => one.uid).sort();
    assert.deepEqual(uids(manager.forStudy('1.2')), ['a', 'b', 'c']);
    assert.deepEqual(uids(manager.forSeries('1.2.1')), ['a', 'b']);
    assert.deepEqual(uids(manager.forFrameOfReference('1.9')), ['a', 'b', 'c']);
    assert.deepEqual(uids(manager.forFrameOfReference('')), [], 'no FrameOfReference is no shared space');
    assert.deepEqual(uids(manager.forImage({ seriesInstanceUid: '1.2.1', sopInstanceUid: '1.2.1.1', frameNumber: 2 })), ['b']);
  });

  it('tells its subscribers what changed and where the change came from; an edit replaces by uid', () => {
    const manager = new AnnotationManager((one) => one.authorUserId === 'me');
    const changes: AnnotationChange[] = [];
    const stop = manager.subscribe((change) => changes.push(change));
    manager.upsert(annotation('a', {}, 'me'), 'viewer');
    manager.upsert({ ...annotation('a', {}, 'me'), version: 2 }, 'viewer');
    manager.upsert(annotation('b', {}), 'outside');
    assert.equal(manager.remove('b', 'outside'), true);
    assert.equal(manager.remove('never-kept', 'outside'), false);
    stop();
    manager.remove('a', 'viewer');
    assert.deepEqual(
      changes.map((change) => [change.kind, change.kind === 'upsert' ? change.annotation.uid : change.uid, change.origin]),
      [['upsert', 'a', 'viewer'], ['upsert', 'a', 'viewer'], ['upsert', 'b', 'outside'], ['remove', 'b', 'outside'], ['remove', 'never-kept', 'outside']],
    );
    assert.equal(manager.all().length, 0);
    assert.equal(manager.editable(annotation('x', {}, 'me')), true);
    assert.equal(manager.editable(annotation('y', {}, 'other')), false);
  });
});

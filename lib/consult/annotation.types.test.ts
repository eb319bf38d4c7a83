import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_ANNOTATION_POINTS, ZCollabAnnotationInput, toCollabAnnotation, geometryOf } from './annotation.types';

function length(overrides: Record<string, unknown> = {}) {
  return {
    uid: '5b1f2c3e-8d4a-4f6b-9c7d-1e2f3a4b5c6d',
    tool: 'Length',
    version: 1,
    ref: { studyInstanceUid: '1.2.3', seriesInstanceUid: '1.2.3.4', sopInstanceUid: '1.2.3.4.5', frameNumber: 1, frameOfReferenceUid: '' },
    points: [
      [0, 0, 0],
      [10, 0, 0],
    ],
    imagePoints: [
      [1, 1],
      [21, 1],
    ],
    viewPlaneNormal: [0, 0, 1],
    viewUp: [0, -1, 0],
    stats: { length: 10 },
    ...overrides,
  };
}

function issuesOf(input: unknown): string[] {
  const result = ZCollabAnnotationInput.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('ZCollabAnnotationInput', () => {
  it('accepts a length measurement and drops fields the server sets itself', () => {
    const parsed = ZCollabAnnotationInput.parse({ ...length(), authorUserId: 'someone-else', color: 'red' });
    assert.equal('authorUserId' in parsed, false);
    assert.equal('color' in parsed, false);
  });

  it('refuses a tool that is not one of the viewer tools', () => {
    assert.match(issuesOf(length({ tool: 'Probe' })).join(), /^tool:/);
  });

  it('refuses a wrong number of handles for the tool', () => {
    assert.deepEqual(issuesOf(length({ tool: 'Angle' })), ['points: Angle has 3 handles', 'imagePoints: Angle has 3 handles']);
  });

  it('needs a contour of at least 3 points for a freehand ROI', () => {
    assert.equal(issuesOf(length({ tool: 'PlanarFreehandROI', points: [], polyline: [[0, 0, 0]], imagePoints: [[0, 0]] })).length, 2);
    const square: [number, number][] = [[0, 0], [0, 5], [5, 5], [5, 0]];
    assert.deepEqual(issuesOf(length({ tool: 'PlanarFreehandROI', points: [], polyline: square.map(([x, y]) => [x, y, 0]), imagePoints: square })), []);
  });

  it('refuses non-numbers and non-finite numbers as coordinates (NaN and Infinity become null in JSON)', () => {
    assert.notDeepEqual(issuesOf(length({ points: [[0, 0, null], [1, 0, 0]] })), []);
    assert.notDeepEqual(issuesOf(length({ points: [[0, 0, Infinity], [1, 0, 0]] })), []);
    assert.notDeepEqual(issuesOf(length({ viewUp: [0, '1', 0] })), []);
  });

  it('bounds ids, UIDs, text, versions and the size of a contour', () => {
    assert.notDeepEqual(issuesOf(length({ uid: 'x'.repeat(65) })), []);
    assert.notDeepEqual(issuesOf(length({ uid: '../etc' })), []);
    assert.notDeepEqual(issuesOf(length({ ref: { ...length().ref, sopInstanceUid: '1.2.3; DROP TABLE' } })), []);
    assert.notDeepEqual(issuesOf(length({ tool: 'ArrowAnnotate', text: 'x'.repeat(1001) })), []);
    assert.notDeepEqual(issuesOf(length({ version: 0 })), []);
    assert.notDeepEqual(issuesOf(length({ version: 2 ** 31 })), []);
    const huge = Array.from({ length: MAX_ANNOTATION_POINTS + 1 }, (_, i) => [i, 0, 0]);
    assert.notDeepEqual(issuesOf(length({ tool: 'PlanarFreehandROI', points: [], polyline: huge, imagePoints: huge.map(([x]) => [x, 0]) })), []);
  });

  it('round-trips the geometry through the stored row', () => {
    const input = ZCollabAnnotationInput.parse(length({ tool: 'ArrowAnnotate', text: 'Fracture' }));
    const row = { id: input.uid, authorUserId: 'u1', toolName: input.tool, ...input.ref, geometry: JSON.stringify(geometryOf(input)), version: 1, updatedAt: new Date(0) };
    const annotation = toCollabAnnotation(row, { name: 'Dr One', color: '#facc15' });
    assert.deepEqual(annotation, {
      ...geometryOf(input),
      uid: input.uid,
      tool: 'ArrowAnnotate',
      ref: input.ref,
      authorUserId: 'u1',
      authorName: 'Dr One',
      color: '#facc15',
      version: 1,
      updatedAt: '1970-01-01T00:00:00.000Z',
    });
  });
});

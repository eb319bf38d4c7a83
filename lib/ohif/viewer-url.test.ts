import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ohifViewerUrl } from './viewer-url';

describe('ohifViewerUrl', () => {
  it('opens the viewer on one study', () => {
    assert.equal(ohifViewerUrl('1.2.840.113619.2.1'), '/ohif/viewer?StudyInstanceUIDs=1.2.840.113619.2.1');
  });

  it('puts a prior study beside it, comma-separated, and not the same study twice', () => {
    assert.equal(ohifViewerUrl('1.2.3', '1.2.4'), '/ohif/viewer?StudyInstanceUIDs=1.2.3,1.2.4');
    assert.equal(ohifViewerUrl('1.2.3', '1.2.3'), '/ohif/viewer?StudyInstanceUIDs=1.2.3');
  });

  it('cannot be turned into another query by a malformed UID', () => {
    assert.equal(ohifViewerUrl('1.2&x=<y>'), '/ohif/viewer?StudyInstanceUIDs=1.2%26x%3D%3Cy%3E');
  });
});

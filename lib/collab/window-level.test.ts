import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { voiRangeFromWindow, windowFromVoiRange } from './window-level';

describe('window width/centre and the VOI range', () => {
  it('reads the range Cornerstone sets for an image windowed 400/40 back as 400/40, not 399/40', () => {
    // What Cornerstone's toLowHighRange(400, 40, LINEAR) gives (PS3.3 C.11.2.1.2.1)
    assert.deepEqual(voiRangeFromWindow({ windowWidth: 400, windowCenter: 40 }), { lower: -160, upper: 239 });
    assert.deepEqual(windowFromVoiRange({ lower: -160, upper: 239 }), { windowWidth: 400, windowCenter: 40 });
  });

  it('round-trips the presets and odd windows exactly', () => {
    for (const window of [
      { windowWidth: 1500, windowCenter: -600 },
      { windowWidth: 2000, windowCenter: 0 },
      { windowWidth: 80, windowCenter: 40 },
      { windowWidth: 1, windowCenter: 0.5 },
      { windowWidth: 255, windowCenter: 127.5 },
    ]) {
      assert.deepEqual(windowFromVoiRange(voiRangeFromWindow(window)), window);
      assert.deepEqual(windowFromVoiRange(voiRangeFromWindow(window, 'LINEAR_EXACT'), 'LINEAR_EXACT'), window);
    }
  });

  it('LINEAR_EXACT has no half-value offset', () => {
    assert.deepEqual(voiRangeFromWindow({ windowWidth: 400, windowCenter: 40 }, 'LINEAR_EXACT'), { lower: -160, upper: 240 });
  });
});

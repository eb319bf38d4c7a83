import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeAnnotation } from './describe-annotation';

describe('describeAnnotation', () => {
  it('says what each tool measured, in the units a reader expects', () => {
    assert.equal(describeAnnotation({ tool: 'Length', stats: { length: 42.26 } }), 'Length 42.3 mm');
    assert.equal(describeAnnotation({ tool: 'Angle', stats: { angle: 90 } }), 'Angle 90°');
    assert.equal(describeAnnotation({ tool: 'ArrowAnnotate', text: 'nodule' }), 'Arrow “nodule”');
    assert.equal(
      describeAnnotation({ tool: 'EllipticalROI', stats: { area: 120.04, areaUnit: 'mm²', mean: 40.2, stdDev: 12.04, modalityUnit: 'HU' } }),
      'Ellipse · area 120 mm² · mean 40.2 ± 12 HU',
    );
  });

  it('names the tool alone while no statistics are known yet', () => {
    assert.equal(describeAnnotation({ tool: 'Length' }), 'Length');
    assert.equal(describeAnnotation({ tool: 'PlanarFreehandROI', stats: {} }), 'Freehand');
  });
});

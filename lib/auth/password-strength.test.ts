// The strength estimator's verdicts on passwords people really choose.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generatePassword } from './password';
import { estimatePasswordStrength } from './password-strength';

const person = { email: 'ines.moreau@north.example', name: 'Inès Moreau' };

describe('estimatePasswordStrength', () => {
  for (const weak of ['Password123!', 'telepacs2026', 'Welcome1234', 'Summer2026!', 'qwertyuiop', 'Radiology1!']) {
    it(`refuses the common pattern "${weak}" with words saying why`, () => {
      const strength = estimatePasswordStrength(weak, person);
      assert.equal(strength.acceptable, false);
      assert.ok(!strength.acceptable && strength.message.length > 20, JSON.stringify(strength));
    });
  }

  it("refuses the person's own email and name, which a length rule lets through", () => {
    for (const own of ['ines.moreau@north.example', 'ines.moreau', 'Inès Moreau', 'Moreau2026!']) {
      const strength = estimatePasswordStrength(own, person);
      assert.equal(strength.acceptable, false, own);
      assert.ok(!strength.acceptable && /personal/.test(strength.message), strength.acceptable ? own : strength.message);
    }
    assert.equal(estimatePasswordStrength('ines.moreau@north.example').acceptable, true, 'the same string from a stranger looks random to the estimator');
  });

  it('accepts passphrases, the generated passwords, and the passwords the test suite signs in with', () => {
    for (const strong of ['orbit lantern pepper canyon', 'zebra-copper-violin-harbor', 'correct horse battery staple', 'a long enough passphrase', generatePassword()]) {
      assert.deepEqual(estimatePasswordStrength(strong, person).acceptable, true, strong);
    }
  });
});

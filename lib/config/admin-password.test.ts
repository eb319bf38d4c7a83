// ADMIN_PASSWORD is held to the rule of every chosen password, at start.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig, type Environment } from './config';

function problemsOf(env: Environment): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.problems;
  }
  return [];
}

describe('ADMIN_PASSWORD at start', () => {
  for (const weak of ['Password123!', 'telepacs2026', 'Welcome1234']) {
    it(`refuses the guessable "${weak}" with the estimator's reason and the way out`, () => {
      const problems = problemsOf({ ADMIN_PASSWORD: weak });
      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0], /^ADMIN_PASSWORD: too easy to guess — .+\(or unset it to have a strong one generated\)$/);
    });
  }

  it('refuses the administrator email itself as the password', () => {
    const problems = problemsOf({ ADMIN_EMAIL: 'pacs.admin@hospital.example', ADMIN_PASSWORD: 'pacs.admin@hospital.example' });
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^ADMIN_PASSWORD: too easy to guess — There should not be any personal/);
  });

  it('accepts a passphrase, and an unset password (a strong one is generated)', () => {
    assert.equal(loadConfig({ ADMIN_PASSWORD: 'orbit lantern pepper canyon' }).adminPassword, 'orbit lantern pepper canyon');
    assert.equal(loadConfig({}).adminPassword, undefined);
  });

  it('reports a weak password once, beside the other invalid variables', () => {
    const problems = problemsOf({ ADMIN_PASSWORD: 'Password123!', PORT: 'eighty' });
    assert.deepEqual(problems.map((problem) => problem.split(':')[0]).sort(), ['ADMIN_PASSWORD', 'PORT']);
  });
});

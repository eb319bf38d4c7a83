import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { colleagueLabel, matchColleague, type InvitableColleague } from './match-colleague';

const erik: InvitableColleague = { id: 'u1', email: 'erik.berg@valley.example', name: 'Dr Erik Berg', facilities: ['Valley Clinic'] };
const erika: InvitableColleague = { id: 'u2', email: 'erika.lund@demo.example', name: 'Dr Erika Lund', facilities: ['Demo Hospital'] };
const ines: InvitableColleague = { id: 'u3', email: 'ines.moreau@demo.example', name: 'Inès Moreau', facilities: ['Demo Hospital', 'Valley Clinic'] };
const all = [erik, erika, ines];

const picked = (typed: string) => {
  const match = matchColleague(all, typed);
  return match.kind === 'one' ? match.colleague.id : match.kind;
};

describe('matching what is typed into "Invite colleagues"', () => {
  it('labels a colleague by name, e-mail and facility', () => {
    assert.equal(colleagueLabel(ines), 'Inès Moreau — ines.moreau@demo.example (Demo Hospital, Valley Clinic)');
  });

  it('resolves a picked suggestion, an e-mail, an id, a full name, or a unique first name', () => {
    assert.equal(picked(colleagueLabel(erika)), 'u2');
    assert.equal(picked('ERIK.BERG@valley.example'), 'u1');
    assert.equal(picked('u3'), 'u3');
    assert.equal(picked('dr erik berg'), 'u1');
    assert.equal(picked('ines'), 'u3', 'without the accent');
    assert.equal(picked('Moreau'), 'u3');
    assert.equal(picked('erik b'), 'u1', 'every word the start of a name word');
    assert.equal(picked('Erik'), 'u1', 'a whole first name before a longer one (Erika)');
  });

  it('says so when a name matches several people, naming them', () => {
    const match = matchColleague(all, 'Eri');
    assert.equal(match.kind, 'several');
    assert.match(match.kind === 'several' ? match.message : '', /“Eri” matches 2 colleagues: Dr Erik Berg \(erik\.berg@valley\.example\), Dr Erika Lund/);
    assert.equal(picked('Dr'), 'several');
  });

  it('says so when nothing matches', () => {
    const match = matchColleague(all, 'Zoltan');
    assert.equal(match.kind, 'none');
    assert.match(match.kind === 'none' ? match.message : '', /No colleague matches “Zoltan”/);
    assert.equal(picked('   '), 'none');
  });
});

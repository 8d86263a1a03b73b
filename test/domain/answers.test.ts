// Named answers (src/domain/answers.ts): each carries its SMTP code, enhanced status and the exit
// code of pipe mode, decided by its name and never by its wording.
import { describe, expect, it } from 'vitest';
import { answerForAll, answers, EXIT, exitCodeForAll, formatAnswer, notStoredForAny } from '../../src/domain/answers.js';

describe('pipe-mode exit codes (sysexits) follow the answer', () => {
  it('0 for taken, 65 for the message, 67 for the address, 77 for the sender, 75 for try again', () => {
    expect(answers.addedToCase('00001001').sysexit).toBe(EXIT.OK);
    expect(answers.malformed('no headers').sysexit).toBe(EXIT.DATAERR);
    expect(answers.tooLarge(1024).sysexit).toBe(EXIT.DATAERR);
    expect(answers.noSuchMailbox('x@cases.test').sysexit).toBe(EXIT.NOUSER);
    expect(answers.relayDenied('x@elsewhere.example', 'cases.test').sysexit).toBe(EXIT.NOUSER);
    expect(answers.notParticipant().sysexit).toBe(EXIT.NOPERM);
    expect(answers.loop(15, 60).sysexit).toBe(EXIT.NOPERM);
    expect(answers.notStored('disk full').sysexit).toBe(EXIT.TEMPFAIL);
  });
  it('a relay refusal and a participant refusal share 550 5.7.1 but not their exit code', () => {
    const relay = answers.relayDenied('x@elsewhere.example', 'cases.test');
    const sender = answers.notParticipant();
    expect([relay.code, relay.enhanced]).toEqual([sender.code, sender.enhanced]);
    expect(relay.sysexit).not.toBe(sender.sysexit);
  });
  it('several recipients: a temporary failure wins, then any success, then the first refusal', () => {
    expect(exitCodeForAll([answers.addedToCase('1'), answers.notStored('busy')])).toBe(EXIT.TEMPFAIL);
    expect(exitCodeForAll([answers.noSuchMailbox('a@b.c'), answers.addedToCase('1')])).toBe(EXIT.OK);
    expect(exitCodeForAll([answers.notParticipant(), answers.noSuchMailbox('a@b.c')])).toBe(EXIT.NOPERM);
  });
});

describe('one answer for a whole SMTP transaction', () => {
  it('names what was done for each recipient that took it', () => {
    expect(formatAnswer(answerForAll([answers.addedToCase('00001001'), answers.openedCase('00001002')]))).toBe(
      '250 2.6.0 added to case 00001001; opened case 00001002',
    );
  });
  it('a refusal of one recipient is the answer for all, a temporary one first', () => {
    const whole = notStoredForAny([answers.noSuchMailbox('x@cases.test'), answers.notStored('busy')]);
    expect(whole).toMatchObject({ code: 451, sysexit: EXIT.TEMPFAIL });
    expect(whole.text).toMatch(/not stored for any of its recipients, try again later$/);
  });
});

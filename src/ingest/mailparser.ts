// mailparser's MailParser, loaded once the packages it requires but casegate's parse does not use
// are deferred (deferredRequire.ts). Import it from here, not from 'mailparser'.
import { createRequire } from 'node:module';
import type * as MailparserModule from 'mailparser';
import { deferRequires, MAILPARSER_DEFERRALS } from './deferredRequire.js';

deferRequires(MAILPARSER_DEFERRALS);

export const { MailParser } = createRequire(import.meta.url)('mailparser') as typeof MailparserModule;

// Errors that say how to respond. A CasegateError is bad input or a refused action: its message is
// one sentence a person can act on. Anything else is a bug or an outage.

export type ErrorKind = 'invalid' | 'not-found' | 'forbidden' | 'conflict' | 'unavailable';

export class CasegateError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'CasegateError';
  }
}

export const invalid = (message: string): CasegateError => new CasegateError('invalid', message);
export const notFound = (message: string): CasegateError => new CasegateError('not-found', message);
export const forbidden = (message: string): CasegateError => new CasegateError('forbidden', message);
export const conflict = (message: string): CasegateError => new CasegateError('conflict', message);
export const unavailable = (message: string): CasegateError => new CasegateError('unavailable', message);

// The type and name kept for an uploaded attachment (src/domain/attachmentType.ts).
import { describe, expect, it } from 'vitest';
import { attachmentName, attachmentType } from '../../src/domain/attachmentType.js';

describe('attachmentType: plain leaf types as declared, anything else application/octet-stream', () => {
  it('keeps leaf types, lower case, without parameters', () => {
    expect(attachmentType('image/PNG')).toBe('image/png');
    expect(attachmentType('text/plain; charset=utf-8')).toBe('text/plain');
    expect(attachmentType('application/vnd.openxmlformats-officedocument.wordprocessingml.document')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
  });

  it('turns message/*, multipart/*, unknown top-level types and junk into application/octet-stream', () => {
    for (const t of ['message/rfc822', 'message/global', 'multipart/mixed; boundary=x', 'multipart/alternative', 'x-foo/bar', 'text', 'text/', 'not a type', '', undefined, `text/${'a'.repeat(300)}`]) {
      expect(attachmentType(t), String(t)).toBe('application/octet-stream');
    }
  });
});

describe('attachmentName: a base name without control characters', () => {
  it('keeps the last path segment and drops control characters', () => {
    expect(attachmentName('../../etc/passwd')).toBe('passwd');
    expect(attachmentName('C:\\Users\\ann\\report.txt')).toBe('report.txt');
    expect(attachmentName('bell\u0007\u0000.txt')).toBe('bell.txt');
    expect(attachmentName('Grüße 打印机.pdf')).toBe('Grüße 打印机.pdf');
  });

  it('names the file "attachment" when nothing usable is left, and cuts a long name at 255 code points', () => {
    for (const n of ['', '..', '.', 'dir/', '\u0001', undefined]) expect(attachmentName(n), String(n)).toBe('attachment');
    expect([...attachmentName('😀'.repeat(300))]).toHaveLength(255);
  });
});

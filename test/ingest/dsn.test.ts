import { describe, expect, it } from 'vitest';
import { readDeliveryStatus, readReturnedMessageId } from '../../src/ingest/dsn.js';

describe('message/delivery-status fields', () => {
  it('reads every recipient block, skipping the per-message block', () => {
    const text = [
      'Reporting-MTA: dns; relay.acme-support.example',
      'Arrival-Date: Tue, 24 Nov 2026 14:20:06 +0000',
      '',
      'Final-Recipient: rfc822; carol@gone.example',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 <carol@gone.example>:',
      '    Recipient address rejected',
      '',
      'Final-Recipient: RFC822; <dan@slow.example>',
      'Action: Delayed',
      'Status: 4.4.1 (connection timed out)',
      '',
    ].join('\r\n');
    expect(readDeliveryStatus(text)).toEqual([
      { recipient: 'carol@gone.example', action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 <carol@gone.example>: Recipient address rejected' },
      { recipient: 'dan@slow.example', action: 'delayed', status: '4.4.1', diagnostic: null },
    ]);
  });

  it('falls back to Original-Recipient, and gives "" for a missing status', () => {
    expect(readDeliveryStatus('Original-Recipient: rfc822;carol@gone.example\nAction: failed\n')).toEqual([
      { recipient: 'carol@gone.example', action: 'failed', status: '', diagnostic: null },
    ]);
  });

  it('keeps a block that names no recipient when it has an action (recipient ""), and still skips the per-message block', () => {
    const text = ['Reporting-MTA: dns; gateway.gone.example', '', 'Action: delayed', 'Status: 4.7.1', 'Will-Retry-Until: Sat, 28 Nov 2026 10:02:01 +0000', ''].join('\n');
    expect(readDeliveryStatus(text)).toEqual([{ recipient: '', action: 'delayed', status: '4.7.1', diagnostic: null }]);
  });

  it('reads nothing from text that is no report', () => {
    expect(readDeliveryStatus('hello\n\nworld')).toEqual([]);
  });
});

describe('the returned message id', () => {
  it('comes from the returned header section only', () => {
    const headers = 'Subject: x\nMessage-ID:\n <abc@cases.localhost>\n\nMessage-ID: <body@not.this>\n';
    expect(readReturnedMessageId(headers)).toBe('<abc@cases.localhost>');
  });

  it('is null when the returned headers have none', () => {
    expect(readReturnedMessageId('Subject: x\n')).toBeNull();
  });
});

import { redactFreeText } from './stored-redaction.js';

const redact = (s: string) => s.replace(/\d{4} \d{4} \d{4} \d{4}/g, '[PAYMENT_CARD_1]');

describe('redactFreeText', () => {
  it('redacts free-text keys at any depth and leaves ids, timestamps and other keys alone', () => {
    const stored = {
      id: '4111 1111 1111 1111',
      output: { resolution_reply: 'card 4111 1111 1111 1111 noted', at: '2026-11-25T10:00:00Z' },
      events: [{ message: 'my card is 4111 1111 1111 1111' }, { message: 'thanks' }],
    };
    const { value, changed } = redactFreeText(stored, redact);
    expect(changed).toBe(true);
    expect(value).toEqual({
      id: '4111 1111 1111 1111',
      output: { resolution_reply: 'card [PAYMENT_CARD_1] noted', at: '2026-11-25T10:00:00Z' },
      events: [{ message: 'my card is [PAYMENT_CARD_1]' }, { message: 'thanks' }],
    });
    // The stored value it was given is not modified (it may be a cached row).
    expect(stored.events[0]!.message).toBe('my card is 4111 1111 1111 1111');
  });

  it('redacts strings in lists under a free-text key, and model notes', () => {
    const { value } = redactFreeText({ message: ['a', 'card 4111 1111 1111 1111'], resolution_notes: 'quoted 4111 1111 1111 1111', tags: ['4111 1111 1111 1111'] }, redact);
    expect(value).toEqual({ message: ['a', 'card [PAYMENT_CARD_1]'], resolution_notes: 'quoted [PAYMENT_CARD_1]', tags: ['4111 1111 1111 1111'] });
  });

  it('reports no change when there is nothing to redact', () => {
    expect(redactFreeText({ message: 'hello', n: 1, list: [null, true] }, redact)).toEqual({ value: { message: 'hello', n: 1, list: [null, true] }, changed: false });
  });
});

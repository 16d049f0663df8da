import { canReuseTriage } from './run-replay.js';

const ev = (type: string, data: Record<string, unknown> = {}) => ({ type, data });

describe('canReuseTriage (a retried run after a crash does not triage twice)', () => {
  it('reuses the triage of an attempt that died before its resolution', () => {
    expect(canReuseTriage([ev('created'), ev('triaged')])).toBe(true);
  });

  it('reuses it after a resolution-stage failure and its retry', () => {
    expect(canReuseTriage([ev('created'), ev('triaged'), ev('run_failed', { error: { stage: 'resolution' } }), ev('retry')])).toBe(true);
    expect(canReuseTriage([ev('created'), ev('triaged'), ev('note'), ev('retry')])).toBe(true);
  });

  it('triages again when there is nothing to reuse or the triage failed', () => {
    expect(canReuseTriage([])).toBe(false);
    expect(canReuseTriage([ev('created')])).toBe(false);
    expect(canReuseTriage([ev('created'), ev('run_failed', { error: { stage: 'triage' } }), ev('retry')])).toBe(false);
    expect(canReuseTriage([ev('created'), ev('run_failed', {}), ev('retry')])).toBe(false);
  });

  it('triages again once the round finished or the customer wrote', () => {
    expect(canReuseTriage([ev('created'), ev('triaged'), ev('resolution')])).toBe(false);
    expect(canReuseTriage([ev('created'), ev('triaged'), ev('clarification_requested'), ev('customer_reply')])).toBe(false);
    expect(canReuseTriage([ev('created'), ev('triaged'), ev('customer_reply')])).toBe(false);
    expect(canReuseTriage([ev('created'), ev('triaged'), ev('approval_requested')])).toBe(false);
    expect(canReuseTriage([ev('created'), ev('triaged'), ev('handback')])).toBe(false);
  });
});

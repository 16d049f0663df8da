import { jest } from '@jest/globals';
import type { SchedulerRegistry } from '@nestjs/schedule';
import type { AlertDispatcher } from '../alerts/alert.dispatcher.js';
import type { AppConfig } from '../config/configuration.js';
import type { HandoffService } from '../handoff/handoff.service.js';
import { SlaCheckService } from './sla-check.service.js';
import type { SlaPoliciesService } from './sla-policies.service.js';
import { DEFAULT_POLICY_SET } from './sla-policy.js';
import type { SlaRepository } from './sla.repository.js';

// docs/sla.md, "Scheduled checks": one instance at a time holds the check's lease (2 intervals,
// at least 2 minutes). A check that takes longer must keep it, or another instance starts one too.
const MIN = 60_000;

function setUp(renewals: boolean[] = []) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const acquireLease = jest.fn(async (_name: string, _holder: string, _ms: number) => (acquireLease.mock.calls.length === 1 ? true : (renewals.shift() ?? true)));
  const saveSnapshot = jest.fn(async () => undefined);
  const repository = {
    acquireLease,
    releaseLease: jest.fn(async () => undefined),
    latestSnapshot: async () => undefined,
    // A slow first page: the check is held here until released.
    async *tickets() {
      await released;
      yield [];
    },
    saveSnapshot,
    pruneSnapshots: async () => undefined,
  } as unknown as SlaRepository;
  const config = { env: { SLA_CHECK_INTERVAL_SECONDS: 60, SLA_AT_RISK_MINUTES: 30, ALERT_LOG_RETENTION_DAYS: 90, SLA_SNAPSHOT_RETENTION_DAYS: 90 } } as unknown as AppConfig;
  const policies = { current: async () => ({ set: DEFAULT_POLICY_SET }) } as unknown as SlaPoliciesService;
  const alerts = { raiseMany: async () => ({ created: 0, digested: 0 }), sweep: async () => ({ renotified: 0, digested: 0 }), prune: async () => 0 } as unknown as AlertDispatcher;
  const service = new SlaCheckService(config, repository, policies, alerts, {} as HandoffService, {} as SchedulerRegistry);
  return { service, acquireLease, saveSnapshot, release };
}

describe('the check lease during a long check', () => {
  it('a renewal still in flight when the check ends is awaited before the lease is released (it would take it again)', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const { service, acquireLease, release } = setUp();
    const order: string[] = [];
    let answer!: (ok: boolean) => void;
    acquireLease.mockImplementationOnce(async () => true); // the check takes the lease
    acquireLease.mockImplementationOnce(() => new Promise<boolean>((r) => (answer = r)).then((ok) => (order.push('renewed'), ok))); // the heartbeat
    const releaseLease = (service as unknown as { repository: { releaseLease: jest.Mock } }).repository.releaseLease;
    releaseLease.mockImplementation(async () => void order.push('released'));
    const done = service.check(new Date());
    await jest.advanceTimersByTimeAsync(30_000); // the heartbeat fires and waits on the database
    release();
    await jest.advanceTimersByTimeAsync(0);
    answer(true);
    await done;
    expect(order).toEqual(['renewed', 'released']);
  });

  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  it('is renewed while the check runs: a 10-minute check still holds it at the end', async () => {
    const { service, acquireLease, release } = setUp();
    const done = service.check(new Date());
    await jest.advanceTimersByTimeAsync(10 * MIN);
    // Taken once, then renewed (every quarter of the 2-minute lease), each time 2 minutes ahead.
    expect(acquireLease.mock.calls.length).toBeGreaterThanOrEqual(1 + 10 * 2);
    const last = acquireLease.mock.calls.at(-1)!;
    expect(last[2]).toBeGreaterThan(MIN); // the lease's length (the database adds it to its own now())
    release();
    expect('skipped' in (await done)).toBe(false);
  });

  it('a check whose renewal is refused (another instance took over) stops without storing its snapshot', async () => {
    const { service, saveSnapshot, release } = setUp([false]);
    const done = service.check(new Date());
    await jest.advanceTimersByTimeAsync(MIN);
    release();
    expect(await done).toEqual({ skipped: expect.stringContaining('another instance took over') });
    expect(saveSnapshot).not.toHaveBeenCalled();
  });
});

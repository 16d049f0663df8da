import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ProblemException } from '../common/problem-details.js';
import { loadConfig } from '../config/configuration.js';
import type { TicketEventRow, TicketRow } from '../database/schema.js';
import { evaluateTicket } from '../sla/sla-evaluation.js';
import { DEFAULT_POLICY_SET } from '../sla/sla-policy.js';
import type { SlaService } from '../sla/sla.service.js';
import type { TicketSlaView } from '../sla/sla.types.js';
import type { HandoffDelivery, HandoffPackage } from './handoff.js';
import type { HandoffEvent, HandoffRepository } from './handoff.repository.js';
import { HandoffService } from './handoff.service.js';
import type { DeliveryResult, HandoffWebhook } from './handoff.webhook.js';

const ID = '0f8e9c1a-3b7d-4a51-9a52-6f0e7a2d1c44';
const CREATED = new Date('2026-11-25T10:00:00.000Z');

/** The repository's contract in memory: one ticket row and its events; writes as the SQL does them. */
class FakeRepository {
  ticketRow: TicketRow;
  events: TicketEventRow[] = [];
  failLoads = 0;
  constructor(status = 'escalated') {
    this.ticketRow = {
      id: ID,
      seq: 1,
      status,
      inquiryText: 'Someone hacked my account',
      metadata: { channel: 'chat' },
      channel: 'chat',
      customerId: null,
      category: 'technical',
      priority: 'High',
      triage: null,
      resolution: { resolution_notes: 'Escalated to security: possible security incident. Articles consulted: kb-0001.', ticket_status: 'escalated' },
      lastError: null,
      attempts: 1,
      leaseUntil: null,
      review: null,
      redaction: 1,
      runState: null,
      runBackend: null,
      assignee: null,
      handoff: null,
      verification: null,
      createdAt: CREATED,
      updatedAt: CREATED,
    };
    this.add('created', { status: 'queued' });
    this.add('resolution', { status: status === 'escalated' ? 'escalated' : 'resolved' });
  }
  add(type: string, data: Record<string, unknown>) {
    this.events.push({ id: this.events.length + 1, ticketId: ID, type, actor: 'system', data, at: new Date() });
  }
  get handoff() {
    return this.ticketRow.handoff as HandoffPackage | null;
  }
  async ticket(id: string) {
    return id === ID ? { ...this.ticketRow } : undefined;
  }
  async load(id: string) {
    if (this.failLoads-- > 0) throw new Error('database unavailable');
    if (id !== ID) return undefined;
    return { ticket: { ...this.ticketRow }, events: [...this.events], approvals: [], actions: [], articleTitles: { 'kb-0001': 'Reset your password' } };
  }
  async store(pkg: HandoffPackage, event: HandoffEvent) {
    await Promise.resolve();
    if (this.ticketRow.status !== 'escalated') return false;
    if (this.handoff && Number(this.handoff.escalation_event_id) >= Number(pkg.escalation_event_id)) return false;
    this.ticketRow.handoff = structuredClone(pkg) as unknown as Record<string, unknown>;
    this.add(event.type, event.data);
    return true;
  }
  async claimDelivery(_id: string, handoffId: string, leaseMs: number) {
    await Promise.resolve();
    const pkg = this.handoff;
    if (!pkg || pkg.handoff_id !== handoffId) return undefined;
    const d = pkg.delivery!;
    if (!(d.status === 'pending' || (d.status === 'sending' && Date.parse(d.lease_until!) < Date.now()))) return undefined;
    pkg.delivery = { ...d, status: 'sending', lease_until: new Date(Date.now() + leaseMs).toISOString() };
    return structuredClone(pkg);
  }
  async recordDelivery(_id: string, handoffId: string, delivery: HandoffDelivery, event: HandoffEvent) {
    if (this.handoff?.handoff_id === handoffId) this.handoff.delivery = delivery;
    this.add(event.type, event.data);
  }
  async undelivered() {
    const h = this.handoff;
    const pending = h?.delivery?.status === 'pending';
    const fresh = this.events.some((e) => e.data.status === 'escalated' && e.type === 'resolution' && e.id > Number(h?.escalation_event_id ?? 0));
    return this.ticketRow.status === 'escalated' && (pending || fresh) ? [ID] : [];
  }
}

/** SlaService over the fake's ticket: its clocks under the built-in policies (High: 4 h resolution). */
class FakeSla {
  constructor(private readonly repo: FakeRepository) {}
  async tickets(ids: string[], now = Date.now()): Promise<Map<string, TicketSlaView>> {
    const events = this.repo.events.map((e) => ({ type: e.type, actor: e.actor, at: e.at, status: typeof e.data.status === 'string' ? e.data.status : null }));
    return new Map(ids.filter((id) => id === ID).map((id) => [id, evaluateTicket(this.repo.ticketRow, events, DEFAULT_POLICY_SET, now).view]));
  }
}

class FakeWebhook {
  configured = true;
  sent: HandoffPackage[] = [];
  results: DeliveryResult[] = [];
  async deliver(pkg: HandoffPackage): Promise<DeliveryResult> {
    this.sent.push(pkg);
    return this.results.shift() ?? { delivered: true, attempts: 1, http_status: 200, error: null };
  }
}

function setup(repo = new FakeRepository(), webhook = new FakeWebhook()) {
  const service = new HandoffService(repo as unknown as HandoffRepository, webhook as unknown as HandoffWebhook, loadConfig({}), new FakeSla(repo) as unknown as SlaService);
  return { service, repo, webhook };
}

const types = (repo: FakeRepository) => repo.events.map((e) => e.type);

describe('HandoffService', () => {
  let errors: string[];
  beforeEach(() => {
    errors = [];
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation((m) => void errors.push(String(m)));
  });
  afterEach(() => jest.restoreAllMocks());

  it('stores the package with a handoff event, then delivers it once and records the outcome', async () => {
    const { service, repo, webhook } = setup();
    service.escalated(ID);
    service.escalated(ID); // the same escalation twice (say, the trigger and the sweep)
    await service.sweep();
    await service.idle();
    expect(webhook.sent).toHaveLength(1);
    expect(webhook.sent[0]).toMatchObject({ handoff_id: `${ID}:2`, reason: 'Escalated to security: possible security incident.', delivery: { status: 'sending' } });
    expect(types(repo)).toEqual(['created', 'resolution', 'handoff', 'handoff_delivered']);
    expect(repo.events[2]!.data).toMatchObject({ handoff_id: `${ID}:2`, reason: 'Escalated to security: possible security incident.', delivered: null, delivery: 'pending' });
    expect(repo.events[3]!.data).toEqual({ handoff_id: `${ID}:2`, http_status: 200, attempts: 1 });
    expect(repo.handoff!.delivery).toMatchObject({ status: 'delivered', attempts: 1, http_status: 200, lease_until: null, error: null });
  });

  it('a later escalation of the same ticket gets a new package and a new delivery', async () => {
    const { service, repo, webhook } = setup();
    service.escalated(ID);
    await service.idle();
    repo.add('handback', { status: 'queued' });
    repo.add('resolution', { status: 'escalated' });
    service.escalated(ID);
    await service.idle();
    expect(webhook.sent.map((p) => p.handoff_id)).toEqual([`${ID}:2`, `${ID}:6`]);
    expect(types(repo).filter((t) => t.startsWith('handoff'))).toEqual(['handoff', 'handoff_delivered', 'handoff', 'handoff_delivered']);
  });

  it('records a failed delivery as an event with the status and attempts, and does not send it again', async () => {
    const webhook = new FakeWebhook();
    webhook.results = [{ delivered: false, attempts: 3, http_status: 503, error: 'webhook answered 503' }];
    const { service, repo } = setup(undefined, webhook);
    service.escalated(ID);
    await service.idle();
    expect(repo.events.at(-1)).toMatchObject({ type: 'handoff_delivery_failed', actor: 'system', data: { http_status: 503, attempts: 3, error: 'webhook answered 503' } });
    expect(repo.handoff!.delivery).toMatchObject({ status: 'failed', attempts: 3 });
    expect(await service.sweep()).toBe(0);
    expect(webhook.sent).toHaveLength(1);
  });

  it('without a webhook URL: stores the package, says so, sends nothing', async () => {
    const webhook = new FakeWebhook();
    webhook.configured = false;
    const { service, repo } = setup(undefined, webhook);
    service.escalated(ID);
    await service.idle();
    expect(webhook.sent).toHaveLength(0);
    expect(repo.events.at(-1)).toMatchObject({ type: 'handoff', data: { delivered: null, delivery: 'not configured (ESCALATION_WEBHOOK_URL is unset)' } });
    expect(repo.handoff!.delivery!.status).toBe('not_configured');
  });

  it('does nothing for a ticket that is not escalated, or an id that is not a ticket id', async () => {
    const { service, repo, webhook } = setup(new FakeRepository('resolved'));
    service.escalated(ID);
    service.escalated('not-a-uuid');
    await service.idle();
    expect(webhook.sent).toHaveLength(0);
    expect(repo.handoff).toBeNull();
  });

  it('never throws: a failure is logged and the sweep builds the package later', async () => {
    const { service, repo, webhook } = setup();
    repo.failLoads = 1;
    expect(() => service.escalated(ID)).not.toThrow();
    await service.idle();
    expect(errors.join()).toMatch(/Hand-off of ticket .* failed: database unavailable/);
    expect(webhook.sent).toHaveLength(0);
    expect(await service.sweep()).toBe(1);
    expect(webhook.sent).toHaveLength(1);
  });

  it('the sweep delivers a package stored before a crash (delivery still pending)', async () => {
    const webhook = new FakeWebhook();
    const { service, repo } = setup(undefined, webhook);
    webhook.configured = false; // store only…
    service.escalated(ID);
    await service.idle();
    repo.handoff!.delivery!.status = 'pending'; // …as a process that died right after storing leaves it
    webhook.configured = true;
    expect(await service.sweep()).toBe(1);
    expect(webhook.sent).toHaveLength(1);
    expect(types(repo).filter((t) => t.startsWith('handoff'))).toEqual(['handoff', 'handoff_delivered']);
  });

  it('posts a recovered package with its status, assignee and SLA as of the moment it is sent, not as built', async () => {
    const webhook = new FakeWebhook();
    const { service, repo } = setup(undefined, webhook);
    repo.ticketRow.createdAt = new Date(Date.now() - 6 * 3_600_000); // a High ticket: 4 h target
    webhook.configured = false;
    service.escalated(ID);
    await service.idle();
    // As a process that stored it right after the escalation, 6 h ago, and died before sending leaves it.
    const asBuilt = {
      priority: 'High',
      metric: 'resolution_time' as const,
      state: 'running' as const,
      target_hours: 4,
      business_hours: false,
      deadline: new Date(Date.now() - 2 * 3_600_000).toISOString(),
      remaining_hours: 3.9,
      breached: false,
    };
    repo.handoff!.sla = asBuilt;
    repo.handoff!.delivery!.status = 'pending';
    webhook.configured = true;
    expect(await service.sweep()).toBe(1);
    expect(webhook.sent).toHaveLength(1);
    expect(webhook.sent[0]!.sla).toMatchObject({ priority: 'High', metric: 'resolution_time', breached: true });
    expect(webhook.sent[0]!.sla.remaining_hours).toBeCloseTo(-2, 1);
    // Breached 2 h ago: the deadline is the instant of the breach, creation + 4 h.
    expect(webhook.sent[0]!.sla.deadline).toBe(new Date(repo.ticketRow.createdAt.getTime() + 4 * 3_600_000).toISOString());
    expect(webhook.sent[0]).toMatchObject({ status: 'escalated', assignee: null });
    expect(repo.handoff!.sla).toEqual(asBuilt); // stored as built; the API brings it up to date on read
  });

  it('a package stored for delivery when the URL has since been removed: marked not configured, not retried forever', async () => {
    const webhook = new FakeWebhook();
    const { service, repo } = setup(undefined, webhook);
    webhook.configured = false;
    service.escalated(ID);
    await service.idle();
    repo.handoff!.delivery!.status = 'pending';
    webhook.deliver = async () => ({ delivered: false, attempts: 0, http_status: null, error: 'not configured (ESCALATION_WEBHOOK_URL is unset)' });
    expect(await service.sweep()).toBe(1);
    expect(repo.handoff!.delivery).toMatchObject({ status: 'not_configured', attempts: 0 });
    expect(repo.events.at(-1)).toMatchObject({ type: 'handoff_delivery_failed', data: { error: 'not configured (ESCALATION_WEBHOOK_URL is unset)' } });
    expect(await service.sweep()).toBe(0);
  });

  describe('view', () => {
    it('404 ticket-not-found for a non-UUID id (no query) and an unknown ticket', async () => {
      const { service } = setup();
      for (const id of ['nope', '11111111-2222-4333-8444-555555555555']) {
        await expect(service.view(id)).rejects.toMatchObject({ problem: { status: 404, type: 'https://support-agents.dev/problems/ticket-not-found' } });
      }
    });

    it('404 handoff-not-found for a ticket that was never handed off', async () => {
      const { service } = setup(new FakeRepository('resolved'));
      const err = await service.view(ID).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProblemException);
      expect((err as ProblemException).problem).toMatchObject({ status: 404, type: 'https://support-agents.dev/problems/handoff-not-found', ticket_status: 'resolved' });
    });

    it('builds a package on request for an escalated ticket without one (not stored)', async () => {
      const { service, repo } = setup();
      const pkg = await service.view(ID);
      expect(pkg).toMatchObject({ handoff_id: `${ID}:2`, delivery: null, articles_consulted: [{ id: 'kb-0001', title: 'Reset your password', match: null }] });
      expect(repo.handoff).toBeNull();
    });

    it('returns the stored package with its live parts up to date: status, assignee, SLA, the latest replies and mood', async () => {
      const { service, repo } = setup();
      service.escalated(ID);
      await service.idle();
      repo.ticketRow.status = 'in_progress';
      repo.ticketRow.assignee = 'alice';
      repo.add('take_over', { status: 'in_progress' });
      repo.add('customer_reply', { status: 'in_progress', message: 'This is unacceptable, nobody answers!!' });
      const later = new Date(CREATED.getTime() + 5 * 3_600_000);
      const pkg = await service.view(ID, later);
      expect(pkg).toMatchObject({
        handoff_id: `${ID}:2`,
        status: 'in_progress',
        assignee: 'alice',
        delivery: { status: 'delivered' },
        sla: { breached: true, remaining_hours: -1 },
        sentiment: { label: 'negative' },
        asked: { follow_ups: [{ message: 'This is unacceptable, nobody answers!!' }] },
      });
      expect(pkg.built_at).toBe(repo.handoff!.built_at);
      // Resolved since: the stored package, with the status and SLA of now.
      repo.ticketRow.status = 'resolved';
      expect(await service.view(ID, later)).toMatchObject({ status: 'resolved', asked: { follow_ups: [] }, sla: { breached: true } });
    });
  });

  it('shutdown waits for deliveries in flight and stops taking new work', async () => {
    const webhook = new FakeWebhook();
    let release!: () => void;
    webhook.deliver = async (pkg) => {
      webhook.sent.push(pkg);
      await new Promise<void>((r) => (release = r));
      return { delivered: true, attempts: 1, http_status: 200, error: null };
    };
    const { service, repo } = setup(undefined, webhook);
    service.escalated(ID);
    while (!webhook.sent.length) await new Promise((r) => setTimeout(r, 1));
    const stopped = service.beforeApplicationShutdown();
    service.escalated(ID);
    release();
    await stopped;
    expect(types(repo).at(-1)).toBe('handoff_delivered');
    expect(webhook.sent).toHaveLength(1);
  });
});

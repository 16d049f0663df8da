import { readFileSync } from 'node:fs';
import { Injectable, Logger } from '@nestjs/common';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AppConfig } from '../config/configuration.js';
import { ProblemException, problem, type FieldError } from '../common/problem-details.js';
import { DEFAULT_POLICY_SET, PolicySetSchema, type PolicySet } from './sla-policy.js';
import { SlaRepository } from './sla.repository.js';

export interface EffectivePolicies {
  /** api: written with PUT /monitoring/policies; file: SLA_POLICIES_FILE; default: built in. */
  source: 'api' | 'file' | 'default';
  /** 0 unless written through the API (then the ETag). */
  version: number;
  updated_at: string | null;
  updated_by: string | null;
  set: PolicySet;
}

/** The largest policy set PUT stores, as JSON (about 75,000 holidays' worth). */
const MAX_SET_BYTES = 1_000_000;

/** SQLSTATE 23505 anywhere in the cause chain (Drizzle wraps the driver's error). */
function isUniqueViolation(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}

export function policyErrors(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.map((i) => ({ path: prefix + (i.path.length ? i.path.join('.') : '(body)'), message: i.message }));
}

/** Parses a policy file (YAML or JSON, by content); throws a readable error naming each bad field. */
export function parsePolicyFile(text: string, file: string): PolicySet {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new Error(`SLA_POLICIES_FILE ${file}: not YAML or JSON (${(err as Error).message})`, { cause: err });
  }
  const parsed = PolicySetSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = policyErrors(parsed.error).map((e) => `  ${e.path}: ${e.message}`);
    throw new Error(`SLA_POLICIES_FILE ${file} is not a valid policy set:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/**
 * Which SLA policies apply: the set written through the API (stored, so every instance sees
 * it), else SLA_POLICIES_FILE (read once at start-up; a bad file stops the start), else the
 * built-in defaults. Read per request and per check: one small row.
 */
@Injectable()
export class SlaPoliciesService {
  private readonly logger = new Logger('SlaPolicies');
  private readonly fromFile: PolicySet | undefined;
  /** A stored set that no longer validates (hand-edited): logged once, the fallback applies. */
  private warnedVersion = -1;

  constructor(
    config: AppConfig,
    private readonly repository: SlaRepository,
  ) {
    const file = config.env.SLA_POLICIES_FILE;
    if (file) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new Error(`SLA_POLICIES_FILE ${file} cannot be read (${(err as Error).message})`, { cause: err });
      }
      this.fromFile = parsePolicyFile(text, file);
    }
  }

  async current(): Promise<EffectivePolicies> {
    // Every SLA read asks: a version look-up, and the set (up to 1 MB) is read and validated
    // only when it changed. The parsed calendars stay the same objects, so the business-hours
    // caches kept per calendar carry over between requests.
    const head = await this.repository.policySetVersion();
    const cached = this.cached;
    if (head && cached && cached.version === head.version && cached.updatedAt === head.updatedAt.getTime()) return cached.policies;
    const policies = await this.load();
    // Keyed by the version of the row actually read (a PUT in between gives the next read a new version).
    if (policies.source === 'api') this.cached = { version: policies.version, updatedAt: Date.parse(policies.updated_at!), policies };
    return policies;
  }

  private cached: { version: number; updatedAt: number; policies: EffectivePolicies } | undefined;

  private async load(): Promise<EffectivePolicies> {
    const stored = await this.repository.policySet();
    if (stored) {
      const parsed = PolicySetSchema.safeParse(stored.body);
      if (parsed.success) {
        return { source: 'api', version: stored.version, updated_at: stored.updatedAt.toISOString(), updated_by: stored.updatedBy, set: parsed.data };
      }
      if (this.warnedVersion !== stored.version) {
        this.warnedVersion = stored.version;
        this.logger.error(`The stored SLA policy set (version ${stored.version}) does not validate; using ${this.fromFile ? 'SLA_POLICIES_FILE' : 'the defaults'} until it is replaced`);
      }
    }
    if (this.fromFile) return { source: 'file', version: stored?.version ?? 0, updated_at: null, updated_by: null, set: this.fromFile };
    return { source: 'default', version: stored?.version ?? 0, updated_at: null, updated_by: null, set: DEFAULT_POLICY_SET };
  }

  /** Validates and stores a new set; `ifMatch` (the version read) refuses a concurrent edit with 412. */
  async replace(body: unknown, by: string | null, ifMatch?: number): Promise<EffectivePolicies> {
    const parsed = PolicySetSchema.safeParse(body);
    if (!parsed.success) throw ProblemException.validation(policyErrors(parsed.error));
    // Every SLA read (a ticket's clocks, the approval queue, hand-offs, each check) loads and
    // validates the stored set: a set of many megabytes (within each list's own limit) would cost
    // every such request half a second. Real sets are a few kilobytes.
    const bytes = Buffer.byteLength(JSON.stringify(parsed.data));
    if (bytes > MAX_SET_BYTES) {
      throw ProblemException.validation([{ path: '(body)', message: `the policy set is ${bytes} bytes as JSON; at most ${MAX_SET_BYTES} (1 MB)` }]);
    }
    // Stored as given (with defaults filled in): what GET returns is what was validated.
    const set = parsed.data as unknown as Record<string, unknown>;
    let stored;
    try {
      stored = await this.repository.savePolicySet(set, by, ifMatch);
    } catch (err) {
      // The very first sets written at once: no row to lock yet, so both insert and one hits the
      // primary key. Once more, the row exists and is locked: If-Match is judged (412) or it applies.
      if (!isUniqueViolation(err)) throw err;
      stored = await this.repository.savePolicySet(set, by, ifMatch);
    }
    if (!stored) {
      const now = await this.current();
      throw new ProblemException(
        problem(412, 'precondition-failed', `the policies changed since version ${ifMatch} was read (now version ${now.version}); read them again and re-apply your change`),
      );
    }
    this.logger.log(`SLA policies replaced (version ${stored.version}) by ${by ?? 'unknown'}`);
    return { source: 'api', version: stored.version, updated_at: stored.updatedAt.toISOString(), updated_by: stored.updatedBy, set: parsed.data };
  }
}

import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { ProblemException, problem } from '../common/problem-details.js';
import { AppConfig } from '../config/configuration.js';
import type { ApiKeyRow } from '../database/schema.js';
import { MIN_KEY_LENGTH, hashKey, parseApiKeys, shortKeys } from './api-keys-env.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import type { Principal } from './principal.js';
import { isScope, type Scope } from './scope-list.js';
import { isUuid } from '../common/ids.js';

/** How long this instance trusts its copy of the database keys (a revoke elsewhere takes this long at most). */
export const DB_KEYS_CACHE_MS = 30_000;
/** An unknown key reloads the copy at most this often, so a key created on another instance works at once. */
const MISS_RELOAD_MS = 1_000;
/** After a failed reload, the next try (the previous copy stays in use meanwhile). */
const RELOAD_RETRY_MS = 5_000;
/** last_used_at is written at most this often per key. */
const TOUCH_EVERY_MS = 60_000;

/** What a database key looks like in the API (never the key or its hash). */
export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const OPEN: Principal = { id: 'open', name: 'open mode', scopes: ['admin'], source: 'open' };

/**
 * Every key the service accepts: the ones in API_KEYS (parsed once) and the ones stored hashed in
 * the database (an in-memory copy refreshed every DB_KEYS_CACHE_MS, and at once by a create or
 * revoke on this instance). A presented key is looked up by its SHA-256, so no comparison ever
 * runs over the secret itself (no timing side channel on the key).
 *
 * Open mode (every route allowed without a key): only outside production, and only while neither
 * API_KEYS nor an active database key exists. Production refuses to start without a key from
 * either source, and never runs open afterwards (revoking every key leaves every route at 401).
 */
@Injectable()
export class ApiKeysService implements OnModuleInit {
  private readonly logger = new Logger('ApiKeys');
  private readonly production: boolean;
  private readonly envKeys = new Map<string, Principal>();
  /** Active database keys by SHA-256. */
  private dbKeys = new Map<string, Principal>();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private reloading: Promise<void> | undefined;
  /** Bumped by every create/revoke here, so a load that raced one is redone instead of undoing it. */
  private changes = 0;
  private lastTouched = new Map<string, number>();
  private wasOpen: boolean | undefined;
  private lastReloadWarning = Number.NEGATIVE_INFINITY;
  /** Positions of API_KEYS entries shorter than MIN_KEY_LENGTH (checked at start-up). */
  private readonly shortKeys: number[];

  constructor(
    config: AppConfig,
    private readonly repository: ApiKeysRepository,
  ) {
    this.production = config.env.NODE_ENV === 'production';
    const { keys, errors } = parseApiKeys(config.env.API_KEYS);
    // The configuration already refused these; a test or caller that bypassed loadConfig gets the same message.
    if (errors.length) throw new Error(`Invalid configuration:\n${errors.map((e) => `  API_KEYS: ${e}`).join('\n')}`);
    this.shortKeys = shortKeys(keys);
    for (const k of keys) {
      const hash = hashKey(k.key);
      this.envKeys.set(hash, { id: `env#${k.position}`, name: `API_KEYS entry ${k.position}`, scopes: k.scopes, source: 'env', rateLimitKey: hash });
    }
  }

  async onModuleInit(): Promise<void> {
    if (this.shortKeys.length) {
      const which = `API_KEYS ${this.shortKeys.length === 1 ? 'entry' : 'entries'} ${this.shortKeys.join(', ')}`;
      if (this.production) {
        throw new Error(`Invalid configuration:\n  API_KEYS: ${which} shorter than ${MIN_KEY_LENGTH} characters (NODE_ENV=production); use a random key, e.g. \`openssl rand -base64 32\``);
      }
      this.logger.warn(`${which} shorter than ${MIN_KEY_LENGTH} characters: fine for development, refused with NODE_ENV=production.`);
    }
    await this.reload();
    if (this.envKeys.size === 0 && this.dbKeys.size === 0) {
      if (this.production) {
        throw new Error(
          'NODE_ENV=production requires API_KEYS (e.g. API_KEYS=<random key of 16+ characters>:admin) or an active key in the api_keys table: ' +
            'with no key configured the service would be open to anyone, so it refuses to start.',
        );
      }
    } else {
      this.logger.log(`API keys: ${this.envKeys.size} from API_KEYS, ${this.dbKeys.size} active in the database.`);
    }
    this.noteOpenState();
  }

  /** True when every route is allowed without a key (development with no key anywhere). */
  isOpen(): boolean {
    return !this.production && this.envKeys.size === 0 && this.dbKeys.size === 0;
  }

  /** Refreshes the copy of the database keys when it is older than DB_KEYS_CACHE_MS (one query for all waiting requests). */
  async ensureFresh(): Promise<void> {
    if (Date.now() - this.loadedAt > DB_KEYS_CACHE_MS) await this.reloadSafely();
  }

  /** The principal `key` belongs to, or undefined for an unknown or revoked key. */
  async authenticate(key: string): Promise<Principal | undefined> {
    const hash = hashKey(key);
    const env = this.envKeys.get(hash);
    if (env) return env;
    let principal = this.dbKeys.get(hash);
    if (!principal && Date.now() - this.loadedAt > MISS_RELOAD_MS) {
      // Maybe created on another instance since the last load; bounded to one query a second.
      await this.reloadSafely();
      principal = this.dbKeys.get(hash);
    }
    if (principal) this.touch(principal.id);
    return principal;
  }

  /** Open mode's principal: may do everything (there is nobody to tell apart). */
  get openPrincipal(): Principal {
    return OPEN;
  }

  async create(name: string, scopes: Scope[]): Promise<ApiKeyView & { key: string }> {
    const key = `sa_${randomBytes(32).toString('base64url')}`;
    const hash = hashKey(key);
    const row = await this.repository.insert({ id: randomUUID(), name, keyHash: hash, prefix: key.slice(0, 10), scopes: [...new Set(scopes)] });
    this.changes++;
    this.dbKeys.set(hash, this.principalOf(row));
    this.noteOpenState();
    return { ...view(row), key };
  }

  async list(): Promise<ApiKeyView[]> {
    return (await this.repository.list()).map(view);
  }

  /** Revokes a database key; on this instance it stops working at once, on others within DB_KEYS_CACHE_MS. */
  async revoke(id: string): Promise<void> {
    const row = isUuid(id) ? await this.repository.revoke(id) : undefined;
    if (!row) {
      const hint = id.startsWith('env#') ? ' Keys from API_KEYS are removed from the environment, not through the API.' : '';
      throw new ProblemException(problem(404, 'not-found', `No API key with id "${id.slice(0, 64)}".${hint}`));
    }
    this.changes++;
    for (const [hash, p] of this.dbKeys) if (p.id === row.id) this.dbKeys.delete(hash);
    this.noteOpenState();
  }

  private async reloadSafely(): Promise<void> {
    try {
      await this.reload();
    } catch (err) {
      // Keep the previous copy (keys from API_KEYS never depend on the database) and try again soon.
      this.loadedAt = Date.now() - DB_KEYS_CACHE_MS + RELOAD_RETRY_MS;
      if (Date.now() - this.lastReloadWarning > 60_000) {
        this.lastReloadWarning = Date.now();
        this.logger.warn(`Reloading API keys from the database failed (using the previous copy): ${(err as Error).message.split('\n')[0]}`);
      }
    }
  }

  private reload(): Promise<void> {
    this.reloading ??= (async () => {
      try {
        let rows: ApiKeyRow[];
        let seen: number;
        let tries = 0;
        do {
          seen = this.changes;
          rows = await this.repository.active();
        } while (seen !== this.changes && ++tries < 3);
        this.dbKeys = new Map(rows.map((r) => [r.keyHash, this.principalOf(r)]));
        for (const r of rows) if (r.lastUsedAt && !this.lastTouched.has(r.id)) this.lastTouched.set(r.id, r.lastUsedAt.getTime());
        this.loadedAt = Date.now();
        this.noteOpenState();
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  private principalOf(row: ApiKeyRow): Principal {
    return { id: row.id, name: row.name, scopes: row.scopes.filter(isScope), source: 'db', rateLimitKey: row.keyHash };
  }

  /** last_used_at, written at most once a minute per key, off the request path. */
  private touch(id: string): void {
    const now = Date.now();
    if (now - (this.lastTouched.get(id) ?? 0) < TOUCH_EVERY_MS) return;
    this.lastTouched.set(id, now);
    this.repository.touch(id, new Date(now)).catch((err: Error) => this.logger.warn(`Recording last_used_at of API key ${id} failed: ${err.message.split('\n')[0]}`));
  }

  /** Logs loudly whenever the service becomes open (at start-up, or when the last database key is revoked) or closed. */
  private noteOpenState(): void {
    const open = this.isOpen();
    if (open === this.wasOpen) return;
    const first = this.wasOpen === undefined;
    this.wasOpen = open;
    if (open) {
      this.logger.warn(
        '!!! No API keys are configured: the service is OPEN, every route answers without a key. ' +
          'Set API_KEYS=<key>:admin (or create a key with POST /api-keys) before exposing it; NODE_ENV=production refuses to start like this. !!!',
      );
    } else if (!first) {
      this.logger.log('An API key exists now: every route needs a key.');
    }
  }
}

function view(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes.filter(isScope),
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    revoked_at: row.revokedAt?.toISOString() ?? null,
  };
}

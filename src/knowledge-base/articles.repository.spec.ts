import 'reflect-metadata';
import { describeEachDatabase } from '../../test/helpers/databases.js';
import { Database } from '../database/database.js';
import { ArticlesRepository } from './articles.repository.js';

const article = (id: string, body = `Body of ${id}.`) => ({ id, title: `Title ${id}`, body, category: 'general', tags: ['t'] });

describeEachDatabase('ArticlesRepository', (testDb) => {
  let database: Database;
  let repo: ArticlesRepository;

  beforeAll(async () => {
    database = await testDb.open();
    repo = new ArticlesRepository(database);
  }, 30_000);
  afterAll(async () => {
    await database?.close();
    await testDb.cleanup();
  });

  it('stamps every change with the next knowledge-base revision, in commit order', async () => {
    const start = await repo.revision();
    const { outcomes } = await repo.write([article('r-1'), article('r-2')]);
    expect([...outcomes]).toEqual([
      ['r-1', 'created'],
      ['r-2', 'created'],
    ]);
    expect(await repo.revision()).toBe(start + 1);
    const changed = await repo.changedSince(start);
    expect(changed.map((r) => [r.id, r.revision, r.version])).toEqual([
      ['r-1', start + 1, 1],
      ['r-2', start + 1, 1],
    ]);
  });

  it('concurrent writers get distinct consecutive revisions, and a reader catching up misses none', async () => {
    const start = await repo.revision();
    await Promise.all(Array.from({ length: 12 }, (_, i) => repo.write([article(`c-${i}`)])));
    const changed = await repo.changedSince(start);
    expect(changed.map((r) => r.revision)).toEqual(Array.from({ length: 12 }, (_, i) => start + 1 + i));
    expect(new Set(changed.map((r) => r.id)).size).toBe(12);
  });

  it('same text changes nothing; new text bumps version and revision; expectedVersion guards', async () => {
    await repo.write([article('v-1')]);
    const before = await repo.revision();
    expect([...(await repo.write([article('v-1')])).outcomes]).toEqual([['v-1', 'unchanged']]);
    expect(await repo.revision()).toBe(before);

    const updated = await repo.write([article('v-1', 'New body.')], { onExisting: 'update', expectedVersion: 1 });
    expect(updated.rows.get('v-1')).toMatchObject({ version: 2, body: 'New body.', revision: before + 1 });
    const stale = await repo.write([article('v-1', 'Other body.')], { onExisting: 'update', expectedVersion: 1 });
    expect(stale.conflicts).toEqual(['v-1']);
    expect((await repo.get('v-1'))?.body).toBe('New body.');
  });

  it('deletes leave a tombstone that readers see as a change; the id can be created again', async () => {
    await repo.write([article('d-1')]);
    const before = await repo.revision();
    expect(await repo.remove('d-1')).toBe('deleted');
    expect(await repo.remove('d-1')).toBe('not-found');
    expect(await repo.get('d-1')).toBeUndefined();
    const [tombstone] = await repo.changedSince(before);
    expect(tombstone).toMatchObject({ id: 'd-1', revision: before + 1 });
    expect(tombstone!.deletedAt).toBeInstanceOf(Date);
    const again = await repo.write([article('d-1', 'Back.')], { onExisting: 'fail' });
    expect(again.outcomes.get('d-1')).toBe('created');
    expect(again.rows.get('d-1')?.deletedAt).toBeNull();
  });

  it('two creates of one id at once: one is created, the other is a conflict', async () => {
    const results = await Promise.all([repo.write([article('race-1')], { onExisting: 'fail' }), repo.write([article('race-1')], { onExisting: 'fail' })]);
    expect(results.map((r) => r.conflicts.length).sort()).toEqual([0, 1]);
  });

  it('an import is all or nothing: a conflict writes none of the batch', async () => {
    await repo.write([article('aon-1')]);
    const result = await repo.write([article('aon-new'), article('aon-1')], { onExisting: 'fail' });
    expect(result.conflicts).toEqual(['aon-1']);
    expect(await repo.get('aon-new')).toBeUndefined();
  });

  it('lists live articles by id, a page at a time', async () => {
    const first = await repo.list({ limit: 2 });
    const next = await repo.list({ limit: 2, after: first.at(-1)!.id });
    expect(first.map((r) => r.id)).toEqual([...first.map((r) => r.id)].sort());
    expect(next[0]!.id > first[1]!.id).toBe(true);
    expect((await repo.list({ limit: 1000 })).some((r) => r.id === 'd-1' && r.deletedAt)).toBe(false);
  });
});

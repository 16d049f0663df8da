import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Database, MIGRATIONS_FOLDER } from './database.js';
import * as schema from './schema.js';

const tables = (Object.values(schema) as unknown[]).filter((v): v is PgTable => typeof v === 'object' && v !== null && Symbol.for('drizzle:IsDrizzleTable') in v);

describe('schema and migrations', () => {
  it('migrations never name a schema, so they apply in DATABASE_SCHEMA', () => {
    for (const file of readdirSync(MIGRATIONS_FOLDER).filter((f) => f.endsWith('.sql'))) {
      expect([file, /"public"\./.test(readFileSync(join(MIGRATIONS_FOLDER, file), 'utf8'))]).toEqual([file, false]);
    }
  });

  it('the migrated database has exactly the tables and columns schema.ts declares (no drift)', async () => {
    const database = await Database.open({ DATA_DIR: 'memory://', DATABASE_URL: undefined, DATABASE_SCHEMA: 'public', DATABASE_POOL_SIZE: 1 });
    try {
      await database.migrate();
      const result = (await database.db.execute(
        sql`select table_name, column_name, is_nullable from information_schema.columns where table_schema = 'public' and table_name not like '__drizzle%'`,
      )) as unknown as { rows: { table_name: string; column_name: string; is_nullable: string }[] };
      const actual = result.rows.map((r) => `${r.table_name}.${r.column_name} ${r.is_nullable === 'NO' ? 'not null' : 'null'}`).sort();
      const declared = tables
        .flatMap((t) => {
          const config = getTableConfig(t);
          return config.columns.map((c) => `${config.name}.${c.name} ${c.notNull ? 'not null' : 'null'}`);
        })
        .sort();
      expect(actual).toEqual(declared);
    } finally {
      await database.close();
    }
  }, 30_000);
});

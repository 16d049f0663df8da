// drizzle-kit qualifies foreign-key targets with "public"; our migrations must run in any schema
// (DATABASE_SCHEMA, and the tests' throw-away schemas), so the qualifier is removed.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

for (const file of readdirSync('drizzle').filter((f) => f.endsWith('.sql'))) {
  const path = `drizzle/${file}`;
  const sql = readFileSync(path, 'utf8');
  const neutral = sql.replaceAll('"public".', '');
  if (neutral !== sql) writeFileSync(path, neutral);
}

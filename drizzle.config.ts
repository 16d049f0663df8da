import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes a new SQL migration to drizzle/ from src/database/schema.ts.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/database/schema.ts',
  out: './drizzle',
});

// tsc compiles TypeScript only: the dashboard's static files are copied next to the compiled
// module, so a deployment of dist/ alone (without src/) still serves /dashboard.
import { cpSync, rmSync } from 'node:fs';

rmSync('dist/dashboard/public', { recursive: true, force: true });
cpSync('src/dashboard/public', 'dist/dashboard/public', { recursive: true });

import { rmSync } from 'node:fs';

export default function globalTeardown() {
  if (process.env.TEST_TMP_ROOT) rmSync(process.env.TEST_TMP_ROOT, { recursive: true, force: true });
}

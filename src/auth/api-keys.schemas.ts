import { z } from 'zod';
import { textField } from '../common/validation.js';
import { SCOPES } from './scope-list.js';

/** Body of POST /api-keys. */
export const CreateApiKeySchema = z
  .object({
    name: textField(100).describe('What the key is for, shown in GET /api-keys and in logs.'),
    scopes: z
      .array(z.enum(SCOPES, { error: `must be one of ${SCOPES.join(', ')}` }))
      .min(1, 'give the key at least one scope')
      .max(SCOPES.length),
  })
  .strict();
export type CreateApiKey = z.infer<typeof CreateApiKeySchema>;

import { ApiProperty } from '@nestjs/swagger';
import { SCOPES } from './scope-list.js';

/** Request body of POST /api-keys (documentation; validated with CreateApiKeySchema). */
export class CreateApiKeyDto {
  @ApiProperty({ example: 'helpdesk integration', maxLength: 100, description: 'What the key is for, shown in the list and in logs.' })
  name!: string;

  @ApiProperty({
    example: ['tickets:write', 'kb:write'],
    enum: SCOPES,
    isArray: true,
    description: '`admin` implies every scope; `tickets:write` implies `tickets:read`.',
  })
  scopes!: string[];
}

/** A stored key as listed: never the key itself, only its first characters. */
export class ApiKeyDto {
  @ApiProperty({ example: '6f1d0c2e-8b4a-4f6e-9d3c-2a7b5e9f0c11' }) id!: string;
  @ApiProperty({ example: 'helpdesk integration' }) name!: string;
  @ApiProperty({ example: 'sa_Xq3vR9k', description: 'The first characters of the key, to recognise it.' }) prefix!: string;
  @ApiProperty({ example: ['tickets:write', 'kb:write'], enum: SCOPES, isArray: true }) scopes!: string[];
  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' }) created_at!: string;
  @ApiProperty({ example: '2026-11-25T10:42:00.000Z', nullable: true, type: String, description: 'Updated at most once a minute.' })
  last_used_at!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String, description: 'Set when revoked: the key no longer works.' })
  revoked_at!: string | null;
}

/** The answer to POST /api-keys: the only time the key is shown. */
export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({
    example: 'sa_Xq3vR9kT2mW8yB4nL6pC1dF5gH7jK0sA9eU3iO2zQ',
    description: 'The key. Shown this once: only its SHA-256 is stored. Send it as "Authorization: Bearer <key>" or "x-api-key: <key>".',
  })
  key!: string;
}

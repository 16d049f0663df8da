import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { CostsQueryDto } from './costs.dto.js';

const messages = async (query: Record<string, unknown>) =>
  (await validate(plainToInstance(CostsQueryDto, query))).flatMap((e) => Object.values(e.constraints ?? {}).map((m) => `${e.property}: ${m}`));

describe('GET /monitoring/costs query (review)', () => {
  it('a limit past the maximum says the maximum, whatever its number of digits', async () => {
    expect(await messages({ limit: '101' })).toEqual(['limit: limit must not be greater than 100']);
    expect(await messages({ limit: '99999' })).toEqual(['limit: limit must not be greater than 100']);
  });

  it('a limit that is not a whole number says so', async () => {
    for (const limit of ['abc', '1.5', '-3', '', '1e2']) {
      const found = await messages({ limit });
      expect(found.length).toBeGreaterThan(0);
      expect(found.every((m) => m.startsWith('limit: '))).toBe(true);
    }
  });

  it('a sane limit passes', async () => {
    expect(await messages({ limit: '25' })).toEqual([]);
  });
});

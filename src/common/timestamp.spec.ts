import { isTimestamp, parseTimestamp } from './timestamp.js';
import { seededRandom } from '../triage/classifier/softmax-regression.js';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

describe('parseTimestamp', () => {
  it.each([
    '2026-11-25',
    '2026-11-25T09:30Z',
    '2026-11-25T09:30:15Z',
    '2026-11-25T09:30:15.5Z',
    '2026-11-25T09:30:15.123456789+02:00',
    '2026-11-25T23:59:59-0530',
    '2024-02-29T00:00:00Z',
    '0050-06-01T12:00:00Z',
  ])('reads %s exactly as Date.parse does', (s) => {
    expect(parseTimestamp(s)).toBe(Date.parse(s));
    expect(isTimestamp(s)).toBe(true);
  });

  it.each([
    '2026-02-30T09:00:00Z', // Date.parse would roll it over to 2 March
    '2025-02-29',
    '2026-13-01',
    '2026-11-25T09:00:00', // no offset: ambiguous
    '2026-11-25T24:00:00Z',
    '2026-11-25T09:60Z',
    '2026-11-25T09:00:00.Z',
    '2026-11-25T09:00:00.1234567890Z',
    '2026-11-25T09:00:00+2:00',
    '2026-11-25T09:00:00+02:0',
    '2026-11-25T09:00:00Zjunk',
    '2026-11-25 09:00:00Z',
    '26-11-25',
    '2026-1-25',
    '',
    'yesterday',
  ])('refuses %j', (s) => {
    expect(parseTimestamp(s)).toBeNaN();
    expect(isTimestamp(s)).toBe(false);
  });

  it('agrees with Date.parse on 5,000 random valid timestamps of every form', () => {
    const rand = seededRandom(5);
    const int = (n: number) => Math.floor(rand() * n);
    for (let i = 0; i < 5000; i++) {
      const y = 1970 + int(100);
      const m = 1 + int(12);
      const d = 1 + int(28);
      const date = `${y}-${pad(m)}-${pad(d)}`;
      const forms = [
        date,
        `${date}T${pad(int(24))}:${pad(int(60))}Z`,
        `${date}T${pad(int(24))}:${pad(int(60))}:${pad(int(60))}.${pad(int(1000), 3)}Z`,
        `${date}T${pad(int(24))}:${pad(int(60))}:${pad(int(60))}${rand() < 0.5 ? '+' : '-'}${pad(int(15))}:${pad(int(4) * 15)}`,
      ];
      for (const s of forms) expect(parseTimestamp(s)).toBe(Date.parse(s));
    }
  });

  it('is not fooled by non-strings', () => {
    expect(isTimestamp(20261125)).toBe(false);
    expect(isTimestamp(null)).toBe(false);
  });
});

import fc from 'fast-check';
import { DateTime } from 'luxon';
import { BusinessTime } from './business-hours.js';
import { CalendarSchema, WEEKDAYS, type Calendar, type CalendarInput } from './sla-policy.js';

// Expected instants are written with explicit UTC offsets (worked out by hand from the zone's
// rules), so the tests do not lean on the time-zone code they check.
const at = (iso: string) => {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`bad test date ${iso}`);
  return t;
};
const MIN = 60_000;
const H = 3_600_000;
const cal = (input: Omit<CalendarInput, 'id'> & { id?: string }): Calendar => CalendarSchema.parse({ id: 'test', ...input });
const nineToFive = [{ start: '09:00', end: '17:00' }];
const weekdays = (intervals: Array<{ start: string; end: string }>) => ({ mon: intervals, tue: intervals, wed: intervals, thu: intervals, fri: intervals });

const berlin = cal({ time_zone: 'Europe/Berlin', hours: weekdays(nineToFive), holidays: ['2026-12-25', { date: '2026-12-31', name: 'New Year’s Eve' }] });
const split = cal({ time_zone: 'Europe/Berlin', hours: weekdays([{ start: '09:00', end: '12:00' }, { start: '13:00', end: '17:00' }]) });
const lateShift = cal({ time_zone: 'Europe/Berlin', hours: { fri: [{ start: '18:00', end: '24:00' }], sat: [{ start: '00:00', end: '02:00' }] } });
const allDay = [{ start: '00:00', end: '24:00' }];
const berlin247 = cal({ time_zone: 'Europe/Berlin', hours: { ...weekdays(allDay), sat: allDay, sun: allDay } });
/** New York office hours plus a Sunday night shift that the 02:00 DST changes fall into. */
const newYork = cal({ time_zone: 'America/New_York', hours: { ...weekdays(nineToFive), sun: [{ start: '00:00', end: '06:00' }] } });

describe('BusinessTime: Mon-Fri 09:00-17:00 Europe/Berlin (June: UTC+2)', () => {
  const bt = BusinessTime.for(berlin);

  it('a ticket created Friday 16:00 with a 2 h target is due Monday 10:00', () => {
    // Fri 16:00-17:00 = 1 h, weekend closed, Mon 09:00-10:00 = 1 h
    expect(bt.add(at('2026-06-05T16:00+02:00'), 2 * H)).toBe(at('2026-06-08T10:00+02:00'));
    expect(bt.between(at('2026-06-05T16:00+02:00'), at('2026-06-08T10:00+02:00'))).toBe(2 * H);
  });

  it('counts nothing over the weekend', () => {
    // Fri 12:00-17:00 = 5 h, Sat + Sun 0, Mon 09:00-17:00 = 8 h, Tue 09:00-12:00 = 3 h: 16 h
    expect(bt.between(at('2026-06-05T12:00+02:00'), at('2026-06-09T12:00+02:00'))).toBe(16 * H);
    expect(bt.between(at('2026-06-06T10:00+02:00'), at('2026-06-07T20:00+02:00'))).toBe(0);
    // created Saturday: the clock starts Monday 09:00, + 30 min
    expect(bt.add(at('2026-06-06T10:00+02:00'), 30 * MIN)).toBe(at('2026-06-08T09:30+02:00'));
    // a whole week is 5 x 8 h
    expect(bt.between(at('2026-06-08T00:00+02:00'), at('2026-06-15T00:00+02:00'))).toBe(40 * H);
  });

  it('add returns the earliest instant: the end of a day, not the next morning', () => {
    // Mon 09:00 + 8 h = exactly Mon 17:00
    expect(bt.add(at('2026-06-08T09:00+02:00'), 8 * H)).toBe(at('2026-06-08T17:00+02:00'));
    // Mon 16:00 + 1 h 1 ms: 1 h to 17:00, the last ms from Tue 09:00
    expect(bt.add(at('2026-06-08T16:00+02:00'), H + 1)).toBe(at('2026-06-09T09:00+02:00') + 1);
    expect(bt.add(at('2026-06-08T10:00+02:00'), 0)).toBe(at('2026-06-08T10:00+02:00'));
    expect(bt.add(at('2026-06-08T10:00+02:00'), -H)).toBe(at('2026-06-08T10:00+02:00'));
  });

  it('isOpen and nextOpen: [09:00, 17:00)', () => {
    expect(bt.isOpen(at('2026-06-08T09:00+02:00'))).toBe(true);
    expect(bt.isOpen(at('2026-06-08T17:00+02:00') - 1)).toBe(true);
    expect(bt.isOpen(at('2026-06-08T17:00+02:00'))).toBe(false);
    expect(bt.isOpen(at('2026-06-06T12:00+02:00'))).toBe(false);
    expect(bt.nextOpen(at('2026-06-05T17:00+02:00'))).toBe(at('2026-06-08T09:00+02:00'));
    expect(bt.nextOpen(at('2026-06-08T10:00+02:00'))).toBe(at('2026-06-08T10:00+02:00'));
  });

  it('skips holidays (December: UTC+1)', () => {
    // Thu 12-24 16:00-17:00 = 1 h, Fri 12-25 holiday, weekend, Mon 12-28 09:00-10:00 = 1 h
    expect(bt.add(at('2026-12-24T16:00+01:00'), 2 * H)).toBe(at('2026-12-28T10:00+01:00'));
    // the week of Mon 12-21: Mon-Thu 4 x 8 h, Fri holiday: 32 h
    expect(bt.between(at('2026-12-21T00:00+01:00'), at('2026-12-28T00:00+01:00'))).toBe(32 * H);
    // {date, name} form: Thu 12-31 is off, Fri 2027-01-01 is not listed, so it is a working day
    expect(bt.add(at('2026-12-30T16:00+01:00'), 2 * H)).toBe(at('2027-01-01T10:00+01:00'));
    expect(bt.isOpen(at('2026-12-25T10:00+01:00'))).toBe(false);
    expect(bt.nextOpen(at('2026-12-24T17:00+01:00'))).toBe(at('2026-12-28T09:00+01:00'));
  });

  it('spans of a year: 52 weeks x 40 h minus the two holidays on weekdays', () => {
    // Mon 2026-01-05 .. Mon 2027-01-04 = 52 weeks = 2080 h; minus Fri 12-25 and Thu 12-31 (8 h each) = 2064 h.
    // The DST changes (Sun 03-29, Sun 10-25) fall outside working hours.
    expect(bt.between(at('2026-01-05T00:00+01:00'), at('2027-01-04T00:00+01:00'))).toBe(2064 * H);
    // ... so 2064 h from Mon 2026-01-05 09:00 ends at the last working instant before that Monday: Fri 2027-01-01 17:00
    expect(bt.add(at('2026-01-05T09:00+01:00'), 2064 * H)).toBe(at('2027-01-01T17:00+01:00'));
  });

  it('ignores a holiday date that does not exist instead of shifting it', () => {
    // '2026-02-30' passes the schema's pattern; it must not become Mon 03-02.
    // Fri 02-27 16:00-17:00 = 1 h, Mon 03-02 09:00-10:00 = 1 h
    const odd = BusinessTime.for(cal({ time_zone: 'Europe/Berlin', hours: weekdays(nineToFive), holidays: ['2026-02-30'] }));
    expect(odd.add(at('2026-02-27T16:00+01:00'), 2 * H)).toBe(at('2026-03-02T10:00+01:00'));
  });
});

describe('BusinessTime: split shifts and merged intervals', () => {
  const bt = BusinessTime.for(split);

  it('skips the lunch break', () => {
    // Mon 11:00-12:00 = 1 h, 13:00-14:00 = 1 h
    expect(bt.add(at('2026-06-08T11:00+02:00'), 2 * H)).toBe(at('2026-06-08T14:00+02:00'));
    // exactly 1 h: the end of the morning shift (12:00), not the start of the afternoon
    expect(bt.add(at('2026-06-08T11:00+02:00'), H)).toBe(at('2026-06-08T12:00+02:00'));
    // 10:00-12:00 = 2 h, 13:00-15:00 = 2 h
    expect(bt.between(at('2026-06-08T10:00+02:00'), at('2026-06-08T15:00+02:00'))).toBe(4 * H);
    // a week: 5 x (3 + 4) h
    expect(bt.between(at('2026-06-08T00:00+02:00'), at('2026-06-15T00:00+02:00'))).toBe(35 * H);
  });

  it('is closed at lunch and opens again at 13:00', () => {
    expect(bt.isOpen(at('2026-06-08T12:30+02:00'))).toBe(false);
    expect(bt.nextOpen(at('2026-06-08T12:30+02:00'))).toBe(at('2026-06-08T13:00+02:00'));
  });

  it('merges overlapping, unsorted intervals of a day', () => {
    // 13-17, 09-12 and 11-14 cover 09:00-17:00 once: 8 h, not 4 + 3 + 3 = 10 h
    const messy = BusinessTime.for(cal({ time_zone: 'Europe/Berlin', hours: { mon: [{ start: '13:00', end: '17:00' }, { start: '09:00', end: '12:00' }, { start: '11:00', end: '14:00' }] } }));
    expect(messy.between(at('2026-06-08T00:00+02:00'), at('2026-06-09T00:00+02:00'))).toBe(8 * H);
    expect(messy.isOpen(at('2026-06-08T12:30+02:00'))).toBe(true);
  });
});

describe('BusinessTime: a 24:00 end', () => {
  const bt = BusinessTime.for(lateShift);

  it('runs a Friday late shift through midnight into Saturday', () => {
    // Fri 23:00-24:00 = 1 h, Sat 00:00-01:00 = 1 h
    expect(bt.add(at('2026-06-05T23:00+02:00'), 2 * H)).toBe(at('2026-06-06T01:00+02:00'));
    // Fri 18:00-24:00 = 6 h, Sat 00:00-02:00 = 2 h
    expect(bt.between(at('2026-06-05T18:00+02:00'), at('2026-06-06T02:00+02:00'))).toBe(8 * H);
    expect(bt.isOpen(at('2026-06-06T00:00+02:00') - 1)).toBe(true);
    expect(bt.isOpen(at('2026-06-06T00:00+02:00'))).toBe(true);
    // after Sat 02:00 the next shift is the following Friday 18:00
    expect(bt.nextOpen(at('2026-06-06T02:00+02:00'))).toBe(at('2026-06-12T18:00+02:00'));
  });

  it('00:00-24:00 every day counts real elapsed time across the Berlin spring change', () => {
    // Sun 2026-03-29 has 23 h (02:00 CET -> 03:00 CEST): Sat 00:00 +01:00 .. Mon 00:00 +02:00 = 24 + 23 = 47 h
    const always = BusinessTime.for(berlin247);
    expect(always.between(at('2026-03-28T00:00+01:00'), at('2026-03-30T00:00+02:00'))).toBe(47 * H);
    expect(always.add(at('2026-03-28T00:00+01:00'), 47 * H)).toBe(at('2026-03-30T00:00+02:00'));
  });
});

describe('BusinessTime: America/New_York across DST, with a Sunday 00:00-06:00 night shift', () => {
  const bt = BusinessTime.for(newYork);

  it('Sun 2026-03-08 (02:00 EST -> 03:00 EDT): the night shift is 5 real hours', () => {
    // 00:00 EST = 05:00Z, 06:00 EDT = 10:00Z: 5 h
    expect(bt.between(at('2026-03-08T00:00-05:00'), at('2026-03-08T06:00-04:00'))).toBe(5 * H);
    // 00:00-02:00 EST = 2 h (ends 07:00Z = 03:00 EDT), 1 h more: 04:00 EDT = 08:00Z
    expect(bt.add(at('2026-03-08T00:00-05:00'), 3 * H)).toBe(at('2026-03-08T04:00-04:00'));
    // from Saturday noon: 5 h ends exactly at the end of the shift, 06:00 EDT
    expect(bt.add(at('2026-03-07T12:00-05:00'), 5 * H)).toBe(at('2026-03-08T06:00-04:00'));
    // one more minute: Mon 09:01 EDT
    expect(bt.add(at('2026-03-07T12:00-05:00'), 5 * H + MIN)).toBe(at('2026-03-09T09:01-04:00'));
    expect(bt.isOpen(at('2026-03-08T03:30-04:00'))).toBe(true);
    expect(bt.isOpen(at('2026-03-08T06:00-04:00'))).toBe(false);
  });

  it('the week of 2026-03-08 has 45 h instead of 46; four weeks around it 183 h', () => {
    // Sun 5 h + Mon-Fri 5 x 8 h = 45 h
    expect(bt.between(at('2026-03-07T00:00-05:00'), at('2026-03-14T00:00-04:00'))).toBe(45 * H);
    // Sat 02-28 .. Sat 03-28: Sundays 03-01, 03-08, 03-15, 03-22 = 6 + 5 + 6 + 6 = 23 h; 20 weekdays x 8 = 160 h
    expect(bt.between(at('2026-02-28T00:00-05:00'), at('2026-03-28T00:00-04:00'))).toBe(183 * H);
  });

  it('Sun 2026-11-01 (02:00 EDT -> 01:00 EST): the night shift is 7 real hours', () => {
    // 00:00 EDT = 04:00Z, 06:00 EST = 11:00Z: 7 h
    expect(bt.between(at('2026-11-01T00:00-04:00'), at('2026-11-01T06:00-05:00'))).toBe(7 * H);
    // 04:00Z + 6.5 h = 10:30Z = 05:30 EST
    expect(bt.add(at('2026-11-01T00:00-04:00'), 6.5 * H)).toBe(at('2026-11-01T05:30-05:00'));
    // 01:30 happens twice; both are inside the shift
    expect(bt.isOpen(at('2026-11-01T01:30-04:00'))).toBe(true);
    expect(bt.isOpen(at('2026-11-01T01:30-05:00'))).toBe(true);
    // Sun 7 h + Mon-Fri 40 h
    expect(bt.between(at('2026-10-31T00:00-04:00'), at('2026-11-07T00:00-05:00'))).toBe(47 * H);
  });

  it('over a whole year the two changes cancel: 52 x (6 + 40) h', () => {
    // Sat 2026-01-03 .. Sat 2027-01-02 = 52 weeks; -1 h in March, +1 h in November
    expect(bt.between(at('2026-01-03T00:00-05:00'), at('2027-01-02T00:00-05:00'))).toBe(52 * 46 * H);
  });

  it('an interval inside the skipped hour has no working time that day; in the repeated hour it doubles', () => {
    const gap = BusinessTime.for(cal({ time_zone: 'America/New_York', hours: { sun: [{ start: '02:00', end: '03:00' }] } }));
    // 02:00 and 03:00 both map to 03:00 EDT on 03-08: 0 h; a week later the full hour
    expect(gap.between(at('2026-03-08T00:00-05:00'), at('2026-03-09T00:00-04:00'))).toBe(0);
    expect(gap.between(at('2026-03-15T00:00-04:00'), at('2026-03-16T00:00-04:00'))).toBe(H);
    // from Sat 03-07 the first working minute is Sun 03-15 02:00 EDT
    expect(gap.nextOpen(at('2026-03-07T12:00-05:00'))).toBe(at('2026-03-15T02:00-04:00'));
    expect(gap.add(at('2026-03-07T12:00-05:00'), 30 * MIN)).toBe(at('2026-03-15T02:30-04:00'));

    const repeated = BusinessTime.for(cal({ time_zone: 'America/New_York', hours: { sun: [{ start: '01:00', end: '02:00' }] } }));
    // 01:00 is ambiguous: the earlier instant, 01:00 EDT = 05:00Z; 02:00 EST = 07:00Z: 2 h
    expect(repeated.between(at('2026-11-01T00:00-04:00'), at('2026-11-02T00:00-05:00'))).toBe(2 * H);
    expect(repeated.nextOpen(at('2026-10-31T12:00-04:00'))).toBe(at('2026-11-01T01:00-04:00'));
  });
});

describe('BusinessTime: calendar time (null)', () => {
  const bt = BusinessTime.for(null);

  it('is plain arithmetic', () => {
    expect(bt.between(1000, 5000)).toBe(4000);
    expect(bt.between(5000, 1000)).toBe(0);
    expect(bt.add(1000, 500)).toBe(1500);
    expect(bt.add(1000, -5)).toBe(1000);
    expect(bt.isOpen(at('2026-06-06T03:00Z'))).toBe(true);
    expect(bt.nextOpen(123)).toBe(123);
    expect(bt.between(0, Infinity)).toBe(Infinity);
    expect(bt.between(Number.NaN, 1)).toBeNaN();
    expect(bt.add(Number.NaN, 1)).toBeNaN();
    expect(BusinessTime.for(null)).toBe(bt);
  });
});

describe('BusinessTime: hostile input and the 5-year horizon', () => {
  const bt = BusinessTime.for(berlin);

  it('is cached per Calendar object and rejects an unknown zone', () => {
    expect(BusinessTime.for(berlin)).toBe(bt);
    expect(() => BusinessTime.for({ ...berlin, time_zone: 'Mars/Olympus_Mons' })).toThrow(RangeError);
  });

  it('NaN gives NaN; infinite spans give Infinity; nothing hangs', () => {
    const t = at('2026-06-08T10:00+02:00');
    expect(bt.between(Number.NaN, t)).toBeNaN();
    expect(bt.between(t, Number.NaN)).toBeNaN();
    expect(bt.between(t, Infinity)).toBe(Infinity);
    expect(bt.between(-Infinity, t)).toBe(Infinity);
    expect(bt.between(t, -Infinity)).toBe(0);
    expect(bt.between(Infinity, Infinity)).toBe(0);
    expect(bt.between(0, 1e300)).toBe(Infinity); // beyond the Date range counts as Infinity
    expect(bt.add(t, Number.NaN)).toBeNaN();
    expect(bt.add(Number.NaN, H)).toBeNaN();
    expect(bt.add(t, Infinity)).toBe(Infinity);
    expect(bt.add(Infinity, H)).toBe(Infinity);
    expect(bt.add(-Infinity, H)).toBe(-Infinity);
    expect(bt.add(t, 1e15)).toBe(Infinity); // 277,777 business hours: far past the horizon
    expect(bt.isOpen(Number.NaN)).toBe(false);
    expect(bt.isOpen(Infinity)).toBe(false);
    expect(bt.nextOpen(Number.NaN)).toBeNaN();
    expect(bt.nextOpen(Infinity)).toBe(Infinity);
  });

  it('a span of thousands of years is counted without walking it day by day', () => {
    // 8e15 ms ≈ 253,000 years: whole weeks in one step (DST past the first 100 years is not applied)
    const n = bt.between(-4e15, 4e15);
    expect(Number.isFinite(n)).toBe(true);
    expect(n).toBeGreaterThan(0);
  });

  it('returns Infinity when no working time comes within 5 years', () => {
    // Only Mondays are open and every Monday from 2026-01-05 to 2031-12-29 (313 of them) is a holiday
    const mondays: string[] = [];
    for (let d = Date.UTC(2026, 0, 5); d <= Date.UTC(2031, 11, 31); d += 7 * 86_400_000) mondays.push(new Date(d).toISOString().slice(0, 10));
    const never = BusinessTime.for(cal({ time_zone: 'Europe/Berlin', hours: { mon: nineToFive }, holidays: mondays }));
    const sat = at('2026-01-03T12:00+01:00');
    expect(never.add(sat, H)).toBe(Infinity);
    expect(never.nextOpen(sat)).toBe(Infinity);
    expect(never.between(sat, at('2031-12-31T00:00+01:00'))).toBe(0);
    // from mid-2031 the first open Monday, 2032-01-05, is within reach: 09:00 + 1 h
    expect(never.add(at('2031-06-01T00:00+02:00'), H)).toBe(at('2032-01-05T10:00+01:00'));
  });

  it('a deadline more than 5 years away is Infinity', () => {
    // 1 h a week: 200 h = 200 weeks (< 261 in 5 years) is reachable, 300 h is not
    const sparse = BusinessTime.for(cal({ time_zone: 'Europe/Berlin', hours: { mon: [{ start: '09:00', end: '10:00' }] } }));
    const mon = at('2026-01-05T09:00+01:00');
    // 1 h on Mon 2026-01-05, 199 more Mondays: the last hour ends Mon 2026-01-05 + 1393 days = 2029-10-29 10:00 (CET again since 10-28)
    expect(sparse.add(mon, 200 * H)).toBe(at('2029-10-29T10:00+01:00'));
    expect(sparse.add(mon, 300 * H)).toBe(Infinity);
  });
});

describe('BusinessTime: properties', () => {
  const calendars = { berlin, split, lateShift, newYork, berlin247 };
  const calendarArb = fc.constantFrom(...(Object.keys(calendars) as Array<keyof typeof calendars>));
  const from2025 = at('2025-01-01T00:00Z');
  const to2028 = at('2028-01-01T00:00Z');
  // Instants near the DST changes (and the holidays) are where the arithmetic can go wrong: draw them often.
  const dstDays = ['2026-03-08T07:00Z', '2026-11-01T06:00Z', '2026-03-29T01:00Z', '2026-10-25T01:00Z', '2026-12-25T00:00Z'].map(at);
  const instant = fc.oneof(
    fc.integer({ min: from2025, max: to2028 }),
    fc.tuple(fc.constantFrom(...dstDays), fc.integer({ min: -3 * 24 * H, max: 3 * 24 * H })).map(([d, o]) => d + o),
  );
  const duration = fc.oneof(fc.integer({ min: 0, max: 20 * H }), fc.integer({ min: 0, max: 3000 * H }));

  it('between(from, add(from, ms)) === ms, and add is the earliest such instant', () => {
    fc.assert(
      fc.property(calendarArb, instant, duration, (c, from, ms) => {
        const bt = BusinessTime.for(calendars[c]);
        const t = bt.add(from, ms);
        // Infinity only for a deadline past the 5-year horizon (the sparse calendars reach it)
        if (t === Infinity) return expect(bt.between(from, from + 1826 * 24 * H)).toBeLessThan(ms);
        expect(bt.between(from, t)).toBe(ms);
        if (ms > 0) expect(bt.between(from, t - 1)).toBeLessThan(ms);
      }),
      { numRuns: 400 },
    );
  });

  it('add is monotone in ms and in from', () => {
    fc.assert(
      fc.property(calendarArb, instant, instant, duration, duration, (c, f1, f2, m1, m2) => {
        const bt = BusinessTime.for(calendars[c]);
        const [from, later] = f1 <= f2 ? [f1, f2] : [f2, f1];
        const [ms, more] = m1 <= m2 ? [m1, m2] : [m2, m1];
        expect(bt.add(from, ms)).toBeLessThanOrEqual(bt.add(from, more));
        expect(bt.add(from, ms)).toBeLessThanOrEqual(bt.add(later, ms));
      }),
      { numRuns: 300 },
    );
  });

  it('between is additive: [a, c) = [a, b) + [b, c)', () => {
    fc.assert(
      fc.property(calendarArb, fc.array(instant, { minLength: 3, maxLength: 3 }), (c, xs) => {
        const bt = BusinessTime.for(calendars[c]);
        const [a, b, d] = [...xs].sort((x, y) => x - y);
        expect(bt.between(a, d)).toBe(bt.between(a, b) + bt.between(b, d));
      }),
      { numRuns: 300 },
    );
  });

  it('between agrees with isOpen counted minute by minute over two days', () => {
    fc.assert(
      fc.property(calendarArb, instant, fc.integer({ min: 0, max: 2 * 24 * 60 }), (c, t, minutes) => {
        const bt = BusinessTime.for(calendars[c]);
        const from = Math.floor(t / MIN) * MIN; // working intervals start and end on whole minutes
        let open = 0;
        for (let i = 0; i < minutes; i++) if (bt.isOpen(from + i * MIN)) open++;
        expect(bt.between(from, from + minutes * MIN)).toBe(open * MIN);
      }),
      { numRuns: 60 },
    );
  });

  it('isOpen agrees with reading the local wall clock (no interval here ends inside a DST gap or overlap)', () => {
    const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
    fc.assert(
      fc.property(calendarArb, instant, (c, t) => {
        const calendar = calendars[c];
        const local = DateTime.fromMillis(t, { zone: calendar.time_zone });
        const holiday = calendar.holidays.some((h) => (typeof h === 'string' ? h : h.date) === local.toISODate());
        const m = local.hour * 60 + local.minute;
        const open = !holiday && (calendar.hours[WEEKDAYS[local.weekday - 1]] ?? []).some((i) => minutesOf(i.start) <= m && m < minutesOf(i.end));
        expect(BusinessTime.for(calendar).isOpen(t)).toBe(open);
      }),
      { numRuns: 500 },
    );
  });

  it('nextOpen is open, not later than needed, and skips no working time', () => {
    fc.assert(
      fc.property(calendarArb, instant, (c, t) => {
        const bt = BusinessTime.for(calendars[c]);
        const next = bt.nextOpen(t);
        expect(next).toBeGreaterThanOrEqual(t);
        expect(bt.isOpen(next)).toBe(true);
        expect(bt.between(t, next)).toBe(0);
        expect(bt.isOpen(t)).toBe(next === t);
      }),
      { numRuns: 300 },
    );
  });
});

import { IANAZone } from 'luxon';
import { WEEKDAYS, type Calendar } from './sla-policy.js';

/**
 * Business-hours arithmetic on epoch milliseconds, for SLA clocks. Pure (apart from caches).
 *
 * Rules:
 * - A calendar's week is its `hours`: per weekday, intervals of local wall-clock time in
 *   `time_zone`; "24:00" is the midnight that ends the day. A day's intervals may overlap or be
 *   unsorted: they are merged. Holidays are whole local days without working time.
 * - A local time maps to a real instant with the zone's offsets from luxon. A local time that does
 *   not exist (spring forward) is read with the offset before the change, i.e. shifted forward by
 *   the gap, as luxon does; an ambiguous one (fall back) is the earlier instant (luxon's own choice
 *   there depends on today's date, so it is not used). Working time is the real time between the
 *   mapped instants: 00:00-06:00 is 5 hours on a spring-forward day and 7 on a fall-back day.
 * - `null` calendar: calendar time, every millisecond counts, plain arithmetic.
 * - Horizon: add() and nextOpen() look at most ~5 years (HORIZON_DAYS local days) ahead and
 *   return Infinity beyond that (no working time, or a deadline too far away to matter).
 *   between() is exact on the first 100 years of a span; later days count their nominal
 *   wall-clock hours (DST changes are ignored there).
 * - Hostile input: NaN gives NaN (isOpen: false). For business calendars, instants beyond
 *   ±LIMIT (the Date range, ±8.64e15 ms, less 10 years) act as ±Infinity: between() of a span
 *   reaching one is Infinity, add() from one returns it unchanged, nextOpen() past the end is
 *   Infinity. No loop runs past the horizon (add, nextOpen) or 100 years of weeks (between).
 *
 * Speed: per local day, never per minute. Each weekday's merged intervals are precomputed; a day
 * without a DST change is its local midnight plus those minutes; between() counts the days
 * strictly inside a span arithmetically (whole weeks, minus holidays, plus the difference on DST
 * days), add() skips whole weeks without a holiday or DST change; local midnights and working
 * days' intervals are cached per instance, and instances per Calendar object.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;
const WEEK = 7 * DAY;
/** add() and nextOpen() give up after this many local days (5 years). */
const HORIZON_DAYS = 1827;
/**
 * between() applies DST changes on the first 100 years of a span (one cached midnight per week;
 * more than add() can reach, so the two agree); later days count nominal hours, so absurd spans
 * cost at most that much, once.
 */
const EXACT_DAYS = 36_525;
/** Farther from the epoch than this an instant counts as infinite (margin so horizon searches stay inside the Date range). */
const LIMIT = 8.64e15 - 10 * 366 * DAY;
/** Cached days per instance before the caches are dropped (bounded memory for odd inputs). */
const CACHE_MAX = 20_000;
const EMPTY: readonly number[] = [];

const mod7 = (n: number) => ((n % 7) + 7) % 7;
/** Index into WEEKDAYS (Monday first) of local day number n; day 0 (1970-01-01) was a Thursday. */
const weekdayOf = (n: number) => mod7(n + 3);

const minutesOf = (hhmm: string) => {
  const m = /^(\d\d):(\d\d)$/.exec(hhmm);
  return m ? Math.min(1440, Number(m[1]) * 60 + Number(m[2])) : Number.NaN;
};

/** Local day number (days since 1970-01-01) of 'YYYY-MM-DD'; NaN for a date that does not exist (2026-02-30). */
const dayNumberOf = (iso: string) => {
  const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(iso);
  if (!m) return Number.NaN;
  const d = new Date(0);
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]) ? Math.round(d.getTime() / DAY) : Number.NaN;
};

/** Sorts and merges [start, end] pairs into a flat [s0, e0, s1, e1, ...] list of disjoint intervals. */
function mergePairs(pairs: Array<[number, number]>): number[] {
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [s, e] of pairs) {
    if (out.length > 0 && s <= out[out.length - 1]) out[out.length - 1] = Math.max(out[out.length - 1], e);
    else out.push(s, e);
  }
  return out;
}

/** Length of the part of the flat interval list inside [from, to). */
function overlap(iv: readonly number[], from: number, to: number): number {
  let sum = 0;
  for (let i = 0; i < iv.length; i += 2) {
    const s = Math.max(iv[i], from);
    const e = Math.min(iv[i + 1], to);
    if (e > s) sum += e - s;
  }
  return sum;
}

export class BusinessTime {
  private static readonly instances = new WeakMap<Calendar, BusinessTime>();
  private static always?: BusinessTime;

  /** null: calendar time (24/7, every millisecond counts). Instances are cached per Calendar object. */
  static for(calendar: Calendar | null): BusinessTime {
    if (calendar === null) return (BusinessTime.always ??= new BusinessTime(null));
    let bt = BusinessTime.instances.get(calendar);
    if (!bt) {
      bt = new BusinessTime(calendar);
      BusinessTime.instances.set(calendar, bt);
    }
    return bt;
  }

  private readonly zone: IANAZone | null = null;
  /** Per weekday (Monday first): merged working minutes as flat [start, end, ...]. */
  private readonly minutes: number[][] = [];
  /** Per weekday: working milliseconds of a day without a DST change. */
  private readonly nominal: number[] = [];
  private readonly weekNominal: number = 0;
  private readonly holidays = new Set<number>();
  private readonly holidayList: number[] = [];
  /** Aligned week indexes (floor(day / 7)) that contain a holiday. */
  private readonly holidayWeeks = new Set<number>();
  /** Local day number -> instant of its local midnight. */
  private readonly starts = new Map<number, number>();
  /** Local day number -> working intervals as real instants (working days only). */
  private readonly days = new Map<number, readonly number[]>();

  private constructor(calendar: Calendar | null) {
    if (calendar === null) return;
    const zone = IANAZone.create(calendar.time_zone);
    if (!zone.isValid) throw new RangeError(`unknown time zone "${calendar.time_zone}"`);
    this.zone = zone;
    for (const key of WEEKDAYS) {
      const pairs: Array<[number, number]> = [];
      for (const i of calendar.hours[key] ?? []) {
        const s = minutesOf(i.start);
        const e = minutesOf(i.end);
        if (e > s) pairs.push([s, e]); // NaN compares false: malformed intervals are dropped
      }
      const merged = mergePairs(pairs);
      this.minutes.push(merged);
      this.nominal.push(overlap(merged, 0, 1440) * MINUTE);
    }
    this.weekNominal = this.nominal.reduce((a, b) => a + b, 0);
    for (const h of calendar.holidays ?? []) {
      const n = dayNumberOf(typeof h === 'string' ? h : h.date);
      if (Number.isNaN(n) || this.holidays.has(n)) continue;
      this.holidays.add(n);
      this.holidayList.push(n);
      this.holidayWeeks.add(Math.floor(n / 7));
    }
    this.holidayList.sort((a, b) => a - b);
  }

  /** Business milliseconds in [from, to) (0 when to <= from). Times are ms since the epoch. */
  between(from: number, to: number): number {
    if (Number.isNaN(from) || Number.isNaN(to)) return Number.NaN;
    if (!this.zone) return to > from ? to - from : 0;
    const f = this.clamp(from);
    const t = this.clamp(to);
    if (!(t > f)) return 0;
    if (!Number.isFinite(f) || !Number.isFinite(t)) return Infinity; // holidays are finite: an endless span has endless working time
    const a = this.dayOf(f);
    const b = this.dayOf(t);
    if (a === b) return overlap(this.day(a), f, t);
    let sum = overlap(this.day(a), f, Infinity) + overlap(this.day(b), -Infinity, t);
    if (b - a > 1) sum += this.nominalDays(a + 1, b) + this.dstCorrection(a + 1, Math.min(b, a + 1 + EXACT_DAYS));
    return sum;
  }

  /** The earliest instant t >= from with between(from, t) === ms (from itself when ms <= 0); Infinity when not within ~5 years. */
  add(from: number, ms: number): number {
    if (Number.isNaN(from) || Number.isNaN(ms)) return Number.NaN;
    if (!(ms > 0)) return from;
    if (!this.zone) return from + ms;
    if (!Number.isFinite(this.clamp(from))) return from;
    if (ms === Infinity) return Infinity;
    let n = this.dayOf(from);
    let rem = ms;
    const first = this.day(n);
    for (let i = 0; i < first.length; i += 2) {
      const s = Math.max(first[i], from);
      const len = first[i + 1] - s;
      if (len <= 0) continue;
      if (rem <= len) return s + rem;
      rem -= len;
    }
    const last = n + HORIZON_DAYS;
    n++;
    while (n <= last) {
      // rem > weekNominal (strictly): the deadline is not in this week, not even at its last working instant
      if (mod7(n) === 0 && rem > this.weekNominal && this.plainWeek(n)) {
        rem -= this.weekNominal;
        n += 7;
        continue;
      }
      const iv = this.day(n);
      for (let i = 0; i < iv.length; i += 2) {
        const len = iv[i + 1] - iv[i];
        if (rem <= len) return iv[i] + rem;
        rem -= len;
      }
      n++;
    }
    return Infinity;
  }

  /** Whether instant t is inside working hours (always true for 24/7 except NaN). */
  isOpen(t: number): boolean {
    if (Number.isNaN(t)) return false;
    if (!this.zone) return true;
    if (!Number.isFinite(this.clamp(t))) return false;
    const iv = this.day(this.dayOf(t));
    for (let i = 0; i < iv.length; i += 2) if (iv[i] <= t && t < iv[i + 1]) return true;
    return false;
  }

  /** The next instant >= t inside working hours (t when open now); Infinity if none within ~5 years. */
  nextOpen(t: number): number {
    if (Number.isNaN(t) || !this.zone) return t;
    const c = this.clamp(t);
    if (c === Infinity) return Infinity;
    if (c === -Infinity) return t; // no local time to look at; stays at the far past like -Infinity
    const n0 = this.dayOf(t);
    const today = this.day(n0);
    for (let i = 0; i < today.length; i += 2) if (today[i + 1] > t) return Math.max(today[i], t);
    for (let n = n0 + 1; n <= n0 + HORIZON_DAYS; n++) {
      const iv = this.day(n);
      if (iv.length > 0) return iv[0];
    }
    return Infinity;
  }

  private clamp(t: number): number {
    return t > LIMIT ? Infinity : t < -LIMIT ? -Infinity : t;
  }

  private offsetMs(t: number): number {
    return Math.round((this.zone as IANAZone).offset(t) * MINUTE);
  }

  /**
   * The instant of a local wall-clock time (given as ms since 1970-01-01T00:00 local). Assumes at
   * most one offset change within a day of it, true of every real zone.
   */
  private instant(local: number): number {
    const before = this.offsetMs(local - DAY);
    const after = this.offsetMs(local + DAY);
    if (before === after) return local - before;
    const early = local - before;
    const late = local - after;
    const earlyOk = this.offsetMs(early) === before;
    const lateOk = this.offsetMs(late) === after;
    if (earlyOk && lateOk) return Math.min(early, late); // ambiguous (fall back): the earlier instant
    if (lateOk) return late;
    return early; // valid with the old offset, or in a gap (spring forward): the old offset shifts it forward
  }

  private dayStart(n: number): number {
    let s = this.starts.get(n);
    if (s === undefined) {
      if (this.starts.size >= CACHE_MAX) this.starts.clear();
      s = this.instant(n * DAY);
      this.starts.set(n, s);
    }
    return s;
  }

  /**
   * The local day containing t, with day boundaries exactly as dayStart() maps them. Starts from
   * the UTC day (offsets are under a day, so at most a step or two away) and walks the cached
   * midnights: no time-zone lookup once they are cached. NaN boundaries end the walks at once.
   */
  private dayOf(t: number): number {
    let n = Math.floor(t / DAY);
    while (t < this.dayStart(n)) n--;
    while (t >= this.dayStart(n + 1)) n++;
    return n;
  }

  /** Working intervals of local day n as real instants, flat [s0, e0, ...], disjoint and inside the day. */
  private day(n: number): readonly number[] {
    const mins = this.minutes[weekdayOf(n)];
    if (mins.length === 0 || this.holidays.has(n)) return EMPTY; // closed days need no time-zone work
    let iv = this.days.get(n);
    if (iv) return iv;
    const start = this.dayStart(n);
    const end = this.dayStart(n + 1);
    if (end - start === DAY) {
      iv = mins.map((m) => start + m * MINUTE);
    } else {
      // A DST day: map each end point, clamp to the day (so days never overlap), re-merge since a
      // gap can make mapped intervals overlap or vanish.
      const pairs: Array<[number, number]> = [];
      for (let i = 0; i < mins.length; i += 2) {
        const s = Math.min(Math.max(this.instant(n * DAY + mins[i] * MINUTE), start), end);
        const e = Math.min(Math.max(this.instant(n * DAY + mins[i + 1] * MINUTE), start), end);
        if (e > s) pairs.push([s, e]);
      }
      iv = mergePairs(pairs);
    }
    if (this.days.size >= CACHE_MAX) this.days.clear();
    this.days.set(n, iv);
    return iv;
  }

  /** A week from aligned day w (w % 7 === 0) without holidays and without an offset change. */
  private plainWeek(w: number): boolean {
    return !this.holidayWeeks.has(w / 7) && this.dayStart(w + 7) - this.dayStart(w) === WEEK;
  }

  /** Nominal working ms of local days [a, b): whole weeks at once, minus holidays. */
  private nominalDays(a: number, b: number): number {
    const days = b - a;
    let sum = Math.floor(days / 7) * this.weekNominal;
    for (let d = a + days - (days % 7); d < b; d++) sum += this.nominal[weekdayOf(d)];
    let lo = 0;
    let hi = this.holidayList.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.holidayList[mid] < a) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.holidayList.length && this.holidayList[i] < b; i++) sum -= this.nominal[weekdayOf(this.holidayList[i])];
    return sum;
  }

  /** Real minus nominal working ms of local days [a, b): non-zero only on DST days. */
  private dstCorrection(a: number, b: number): number {
    let sum = 0;
    for (let w = a - mod7(a); w < b; w += 7) {
      if (this.dayStart(w + 7) - this.dayStart(w) === WEEK) continue;
      for (let d = Math.max(w, a); d < Math.min(w + 7, b); d++) {
        // holidays are already out of nominalDays(); a working day whose hours vanished in a gap counts -nominal
        if (!this.holidays.has(d)) sum += overlap(this.day(d), -Infinity, Infinity) - this.nominal[weekdayOf(d)];
      }
    }
    return sum;
  }
}

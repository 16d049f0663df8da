import { compareDeadlines, deadlinePage, type DeadlineKey } from './sla-order.js';

const k = (id: string, deadline: number | null): DeadlineKey => ({ id, deadline });

describe('the approval queue by SLA deadline', () => {
  const items = [k('e', null), k('c', 300), k('a', 300), k('d', 100), k('b', null), k('f', -50)];

  it('orders by deadline (breached, i.e. past, first), no deadline last, then id', () => {
    expect([...items].sort(compareDeadlines).map((i) => i.id)).toEqual(['f', 'd', 'a', 'c', 'b', 'e']);
  });

  it('pages with a (deadline, id) cursor: every item once, across ties and the null tail', () => {
    const seen: string[] = [];
    let after: DeadlineKey | undefined;
    for (let guard = 0; guard < 10; guard++) {
      const { page, more } = deadlinePage(items, after, 1);
      seen.push(...page.map((i) => i.id));
      if (!more) break;
      after = page.at(-1);
    }
    expect(seen).toEqual(['f', 'd', 'a', 'c', 'b', 'e']);
    expect(deadlinePage(items, k('c', 300), 10).page.map((i) => i.id)).toEqual(['b', 'e']);
    expect(deadlinePage(items, k('b', null), 10)).toEqual({ page: [k('e', null)], more: false });
  });

  it('an item added before the cursor does not shift the next page', () => {
    const { page } = deadlinePage(items, undefined, 2);
    const later = deadlinePage([...items, k('0', 0)], page.at(-1), 2);
    expect(later.page.map((i) => i.id)).toEqual(['a', 'c']);
  });
});

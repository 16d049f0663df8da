import { UNMATCHED_ROUTE, methodLabel, routeLabel } from './http-metrics.js';

describe('routeLabel', () => {
  it('is the route template Express matched, with the router mount path', () => {
    expect(routeLabel({ route: { path: '/tickets/:id' }, baseUrl: '' })).toBe('/tickets/:id');
    expect(routeLabel({ route: { path: '/:id' }, baseUrl: '/tickets' })).toBe('/tickets/:id');
  });

  it('is one fixed label when no route matched (never the raw path)', () => {
    expect(routeLabel({})).toBe(UNMATCHED_ROUTE);
    expect(routeLabel({ route: {} })).toBe(UNMATCHED_ROUTE);
    expect(routeLabel({ route: { path: /regex/ } })).toBe(UNMATCHED_ROUTE);
  });
});

describe('methodLabel', () => {
  it('keeps the usual verbs and folds the rest into OTHER', () => {
    expect(methodLabel('get')).toBe('GET');
    expect(methodLabel('DELETE')).toBe('DELETE');
    expect(methodLabel('PROPFIND')).toBe('OTHER');
    expect(methodLabel(undefined)).toBe('OTHER');
  });
});

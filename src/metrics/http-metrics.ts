/** The route label of requests that reached no route (404s, requests refused before routing, static files). */
export const UNMATCHED_ROUTE = 'unmatched';
/** Status label of a request whose client went away before the response was complete (nginx's convention). */
export const CLIENT_CLOSED = 499;

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The route TEMPLATE Express matched (`/tickets/:id`), never the raw path: a label value per
 * ticket id would grow the series without bound. Requests no route took get one fixed label.
 */
export function routeLabel(req: { route?: { path?: unknown }; baseUrl?: string }): string {
  const path = req.route?.path;
  return typeof path === 'string' && path !== '' ? `${req.baseUrl ?? ''}${path}` : UNMATCHED_ROUTE;
}

/** The method as a label: the usual verbs, anything else (WebDAV, PURGE...) as OTHER. */
export function methodLabel(method: string | undefined): string {
  const m = (method ?? '').toUpperCase();
  return METHODS.has(m) ? m : 'OTHER';
}

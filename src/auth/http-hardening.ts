import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Security headers (helmet) for every response, with three Content-Security-Policies:
 * - the API answers JSON only, so nothing may load or frame it: `default-src 'none'; frame-ancestors 'none'`;
 * - Swagger UI (/docs, served by @nestjs/swagger) loads its own scripts and styles from 'self' and
 *   has an inline <style>: helmet's default policy (script-src 'self', style-src 'self' https:
 *   'unsafe-inline', img-src 'self' data:) without `upgrade-insecure-requests`, which would make a
 *   browser fetch the UI's scripts over https from a service served over plain http;
 * - the SLA dashboard (/dashboard, src/dashboard/) is our own page with no inline code: scripts,
 *   styles and API calls from 'self' only, images only as data: URLs (its empty favicon), no
 *   plugins, frames, base-URL changes or form posts (the API-key form is handled by script, so a
 *   key can never end up in a URL).
 */
export function securityHeaders(docsPath = '/docs', dashboardPath = '/dashboard'): RequestHandler {
  const api = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] } },
  });
  const docs = helmet({
    contentSecurityPolicy: { useDefaults: true, directives: { 'upgrade-insecure-requests': null } },
  });
  const dashboard = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'none'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'connect-src': ["'self'"],
        'img-src': ['data:'],
        'base-uri': ["'none'"],
        'form-action': ["'none'"],
        'frame-ancestors': ["'none'"],
      },
    },
  });
  const prefix = docsPath.replace(/\/$/, '');
  const board = dashboardPath.replace(/\/$/, '').toLowerCase();
  return (req, res, next) => {
    const path = req.path;
    const isDocs = path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}-`);
    // Routes match whatever the case (Express's default), so /Dashboard is the page too: it gets the page's policy.
    const lower = path.toLowerCase();
    const isDashboard = lower === board || lower.startsWith(`${board}/`);
    (isDocs ? docs : isDashboard ? dashboard : api)(req, res, next);
  };
}

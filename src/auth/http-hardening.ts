import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Security headers (helmet) for every response, with two Content-Security-Policies:
 * - the API answers JSON only, so nothing may load or frame it: `default-src 'none'; frame-ancestors 'none'`;
 * - Swagger UI (/docs, served by @nestjs/swagger) loads its own scripts and styles from 'self' and
 *   has an inline <style>: helmet's default policy (script-src 'self', style-src 'self' https:
 *   'unsafe-inline', img-src 'self' data:) without `upgrade-insecure-requests`, which would make a
 *   browser fetch the UI's scripts over https from a service served over plain http.
 */
export function securityHeaders(docsPath = '/docs'): RequestHandler {
  const api = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] } },
  });
  const docs = helmet({
    contentSecurityPolicy: { useDefaults: true, directives: { 'upgrade-insecure-requests': null } },
  });
  const prefix = docsPath.replace(/\/$/, '');
  return (req, res, next) => {
    const path = req.path;
    const isDocs = path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}-`);
    (isDocs ? docs : api)(req, res, next);
  };
}

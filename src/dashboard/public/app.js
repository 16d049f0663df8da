// SLA dashboard (served at /dashboard). Plain browser JavaScript, no build step.
// Everything the API returns is user data (ticket ids, categories, alert titles): it only ever
// reaches the page through textContent and attribute setters, never as HTML.
'use strict';

(() => {
  const REFRESH_MS = 30_000;
  const TREND_HOURS = 48;
  const REQUEST_TIMEOUT_MS = 15_000;
  const KEY_STORAGE = 'support-agents.dashboard.api-key';

  const METRICS = {
    first_reply_time: 'First reply',
    next_reply_time: 'Next reply',
    periodic_update: 'Periodic update',
    requester_wait_time: 'Requester wait',
    agent_work_time: 'Agent work',
    resolution_time: 'Resolution',
  };
  const ALERT_KINDS = { breach: 'Breach', at_risk: 'At risk', metrics: 'Metrics report', digest: 'Digest' };
  const ALERT_STATUSES = { pending: 'sending', delivered: 'delivered', digested: 'in a digest', failed: 'failed', not_configured: 'no channel configured' };
  const PRIORITY_ORDER = ['High', 'Medium', 'Low'];
  // Colour-blind-safe hues; the series also differ by dash and point shape, so colour is not the only cue.
  const COLORS = { open: '#1f5fbf', atRisk: '#a35a00', breached: '#b3261e', sla: '#1b7a3d', grid: '#d7dbe0', text: '#3c4450' };

  const $ = (id) => document.getElementById(id);
  const ui = {
    lastRefresh: $('last-refresh'),
    status: $('status'),
    banner: $('banner'),
    refresh: $('refresh'),
    auto: $('auto-refresh'),
    forgetKey: $('forget-key'),
    authForm: $('auth'),
    authWhy: $('auth-why'),
    keyInput: $('api-key'),
    main: $('main'),
  };

  const state = { timer: undefined, inFlight: undefined, again: false, charts: {}, lastOk: undefined, waitingForKey: false, refreshes: 0 };

  // ---- formatting -------------------------------------------------------------------------

  const dateTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const hourLabel = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
  const percent = new Intl.NumberFormat(undefined, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });

  function formatDate(iso, format = dateTime) {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? String(iso ?? '—') : format.format(d);
  }

  function formatMinutes(minutes) {
    if (typeof minutes !== 'number' || !Number.isFinite(minutes)) return '—';
    const m = Math.round(Math.abs(minutes));
    if (m < 60) return `${m} min`;
    if (m < 24 * 60) return m % 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m / 60} h`;
    return Math.floor((m % 1440) / 60) ? `${Math.floor(m / 1440)} d ${Math.floor((m % 1440) / 60)} h` : `${Math.floor(m / 1440)} d`;
  }

  const formatCount = (n) => (typeof n === 'number' && Number.isFinite(n) ? String(n) : '—');
  const formatRatio = (r) => (typeof r === 'number' && Number.isFinite(r) ? percent.format(r) : '—');
  const label = (names, key) => (Object.hasOwn(names, key) ? names[key] : String(key ?? '—'));
  const metricLabel = (m) => label(METRICS, m);

  // ---- DOM helpers (text only) --------------------------------------------------------------

  /** An element with text content, attributes and children; never parses HTML. */
  function h(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'text') node.textContent = String(value);
      else if (name === 'class') node.className = value;
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children) if (child !== undefined && child !== null) node.append(child);
    return node;
  }

  function timeCell(iso) {
    return h('td', {}, h('time', { datetime: iso, title: iso, text: formatDate(iso) }));
  }

  function emptyRow(columns, text, testid) {
    return h('tr', { class: 'empty' }, h('td', { colspan: columns, text, 'data-testid': testid }));
  }

  function priorityChip(priority) {
    const known = PRIORITY_ORDER.includes(priority) ? `prio prio-${priority.toLowerCase()}` : 'prio';
    return h('span', { class: known, text: priority ?? 'none' });
  }

  function ticketCell(item) {
    return h('td', {}, h('div', {}, h('span', { class: 'ticket-id', 'data-testid': 'ticket-id', text: item.ticket_id }), item.category ? h('span', { class: 'sub', text: item.category }) : null));
  }

  /** Replaces a table's rows; each cell is labelled with its column's header, shown when rows stack on a phone. */
  function fillRows(tbodyId, rows) {
    const tbody = $(tbodyId);
    tbody.replaceChildren(...rows);
    const headers = [...tbody.closest('table').querySelectorAll('thead th')].map((th) => th.textContent);
    for (const row of tbody.rows) [...row.cells].forEach((cell, i) => cell.colSpan === 1 && cell.setAttribute('data-label', headers[i] ?? ''));
  }

  function setText(testid, text, value) {
    const node = document.querySelector(`[data-testid="${testid}"]`);
    node.textContent = text;
    if (value !== undefined) node.dataset.value = value === null ? '' : String(value);
  }

  // ---- API ------------------------------------------------------------------------------------

  class ApiError extends Error {
    /** `key`: the API key the request carried (undefined: none), so a refusal clears only that key. */
    constructor(path, status, body, key) {
      const detail = body && typeof body.detail === 'string' ? body.detail : undefined;
      super(status ? `${path}: ${status}${detail ? ` — ${detail}` : ''}` : `${path}: ${body}`);
      this.path = path;
      this.status = status;
      this.body = body;
      this.key = key;
    }
  }

  function storedKey() {
    try {
      return sessionStorage.getItem(KEY_STORAGE) || undefined;
    } catch {
      return undefined; // storage disabled: the key must be pasted again after each load
    }
  }

  let memoryKey;
  function storeKey(key) {
    memoryKey = key || undefined;
    try {
      if (key) sessionStorage.setItem(KEY_STORAGE, key);
      else sessionStorage.removeItem(KEY_STORAGE);
    } catch {
      /* kept in memory only */
    }
    ui.forgetKey.hidden = !key;
  }
  const currentKey = () => storedKey() ?? memoryKey;

  async function api(path) {
    const headers = { Accept: 'application/json' };
    const key = currentKey();
    if (key) headers.Authorization = `Bearer ${key}`;
    let res;
    try {
      res = await fetch(path, { headers, cache: 'no-store', credentials: 'omit', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (err) {
      throw new ApiError(path, 0, err && err.name === 'TimeoutError' ? 'no answer in time' : 'the service did not answer', key);
    }
    let body;
    try {
      body = await res.json();
    } catch {
      body = undefined;
    }
    if (!res.ok) throw new ApiError(path, res.status, body, key);
    if (body === undefined) throw new ApiError(path, 0, 'the answer is not JSON', key);
    return body;
  }

  // ---- rendering ------------------------------------------------------------------------------

  function renderOverview(o) {
    const all = o.overall ?? {};
    setText('open-tickets', formatCount(all.open), all.open);
    setText('at-risk', formatCount(all.at_risk), all.at_risk);
    setText('breached', formatCount(all.breached), all.breached);
    setText('sla-compliance', formatRatio(all.sla_compliance_24h), all.sla_compliance_24h);
    setText(
      'sla-note',
      all.resolved_24h ? `${all.resolved_within_sla_24h} of ${all.resolved_24h} resolved within SLA` : 'no resolutions in 24 h',
    );
    $('risk-note').textContent = typeof o.at_risk_minutes === 'number' ? `a target due within ${formatMinutes(o.at_risk_minutes)}` : 'a target due soon';

    const check = o.last_check;
    $('last-check').textContent = check
      ? `Last SLA check ${formatDate(check.at)}: ${check.tickets} tickets, ${check.alerts_raised} alerts raised, ${check.actions_taken} actions taken (${check.duration_ms} ms).`
      : 'No scheduled SLA check has run yet; the numbers are computed on request.';

    const breached = Array.isArray(o.breached_tickets) ? o.breached_tickets : [];
    $('breached-count').textContent = `(${breached.length})`;
    fillRows(
      'breached-rows',
      breached.length
        ? breached.map((t) =>
            h('tr', { 'data-testid': 'breached-row' }, ticketCell(t), h('td', {}, priorityChip(t.priority)), h('td', { text: metricLabel(t.metric) }), timeCell(t.breached_at), h('td', { class: 'bad-text', text: `${formatMinutes(t.overdue_minutes)} overdue` })),
          )
        : [emptyRow(5, 'No breached tickets.', 'breached-empty')],
    );

    const atRisk = Array.isArray(o.at_risk_tickets) ? o.at_risk_tickets : [];
    $('risk-count').textContent = `(${atRisk.length})`;
    fillRows(
      'risk-rows',
      atRisk.length
        ? atRisk.map((t) =>
            h('tr', { 'data-testid': 'at-risk-row' }, ticketCell(t), h('td', {}, priorityChip(t.priority)), h('td', { text: metricLabel(t.metric) }), timeCell(t.due_at), h('td', { text: t.remaining_minutes < 0 ? `${formatMinutes(t.remaining_minutes)} overdue` : `${formatMinutes(t.remaining_minutes)} left` })),
          )
        : [emptyRow(5, 'No tickets at risk.', 'at-risk-empty')],
    );

    const priorities = Object.keys(o.by_priority ?? {}).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    fillRows(
      'priority-rows',
      priorities.length
        ? priorities.map((p) => {
            const s = o.by_priority[p];
            return h(
              'tr',
              { 'data-testid': 'priority-row' },
              h('th', { scope: 'row' }, priorityChip(p)),
              ...[s.open, s.at_risk, s.breached, s.resolved_24h, s.resolved_within_sla_24h].map((n) => h('td', { class: 'num', text: formatCount(n) })),
              h('td', { class: 'num', text: formatRatio(s.sla_compliance_24h) }),
            );
          })
        : [emptyRow(7, 'No tickets yet.', 'priority-empty')],
    );
  }

  function rank(priority) {
    const i = PRIORITY_ORDER.indexOf(priority);
    return i === -1 ? PRIORITY_ORDER.length : i;
  }

  function lineDataset(label, data, color, extra = {}) {
    return { label, data, borderColor: color, backgroundColor: color, borderWidth: 2, pointRadius: 2, pointHoverRadius: 5, tension: 0.2, ...extra };
  }

  function chartOptions(yAxis) {
    return {
      responsive: true,
      maintainAspectRatio: false,
      // Refreshes replace the data every 30 s: redrawing at once reads better than animating.
      animation: false,
      interaction: { mode: 'index', intersect: false },
      plugins: { legend: { position: 'bottom', labels: { color: COLORS.text, usePointStyle: true, boxHeight: 7, padding: 16 } } },
      scales: {
        x: { ticks: { color: COLORS.text, autoSkip: true, maxRotation: 0, autoSkipPadding: 12 }, grid: { color: COLORS.grid } },
        y: { beginAtZero: true, ticks: { color: COLORS.text }, grid: { color: COLORS.grid }, ...yAxis },
      },
    };
  }

  function upsertChart(name, canvas, labels, datasets, yAxis) {
    // A single point (the first hour of history) sits mid-axis rather than on the left edge.
    const offset = labels.length === 1;
    const existing = state.charts[name];
    if (existing) {
      existing.data.labels = labels;
      existing.data.datasets.forEach((d, i) => (d.data = datasets[i].data));
      existing.options.scales.x.offset = offset;
      existing.update();
      return existing;
    }
    const options = chartOptions(yAxis);
    options.scales.x.offset = offset;
    state.charts[name] = new window.Chart(canvas, { type: 'line', data: { labels, datasets }, options });
    return state.charts[name];
  }

  function renderTrends(trends) {
    if (typeof window.Chart !== 'function') throw new Error('the chart library did not load');
    const series = Array.isArray(trends.series) ? (trends.series.find((s) => s.key === null) ?? trends.series[0]) : undefined;
    const points = series && Array.isArray(series.points) ? series.points : [];
    const labels = points.map((p) => formatDate(p.bucket, hourLabel));

    upsertChart(
      'counts',
      $('chart-counts'),
      labels,
      [
        lineDataset('Open', points.map((p) => p.open), COLORS.open, { pointStyle: 'circle' }),
        lineDataset('At risk', points.map((p) => p.at_risk), COLORS.atRisk, { pointStyle: 'triangle', borderDash: [6, 3] }),
        lineDataset('Breached', points.map((p) => p.breached), COLORS.breached, { pointStyle: 'rectRot', borderDash: [2, 2] }),
      ],
      { ticks: { color: COLORS.text, precision: 0 } },
    );
    upsertChart(
      'sla',
      $('chart-sla'),
      labels,
      // null (no resolutions in the window) leaves a gap rather than pretending 0 %.
      [lineDataset('SLA compliance (24 h)', points.map((p) => (typeof p.sla_compliance_24h === 'number' ? Math.round(p.sla_compliance_24h * 1000) / 10 : null)), COLORS.sla, { fill: false })],
      { max: 100, ticks: { color: COLORS.text, callback: (v) => `${v} %` } },
    );

    const last = points.at(-1);
    $('trends-note').textContent = points.length
      ? `${points.length} hourly point${points.length === 1 ? '' : 's'} from the scheduled SLA checks.`
      : 'No SLA check recorded in the last 48 hours yet: the lines appear once the scheduled check has run.';
    $('chart-counts-summary').textContent = last ? `Latest (${formatDate(last.bucket, hourLabel)}): ${last.open} open, ${last.at_risk} at risk, ${last.breached} breached.` : 'No data yet.';
    $('chart-sla-summary').textContent = last
      ? `Latest (${formatDate(last.bucket, hourLabel)}): ${formatRatio(last.sla_compliance_24h)}${last.resolved_24h ? ` (${last.resolved_within_sla_24h} of ${last.resolved_24h} within SLA)` : ''}.`
      : 'No data yet.';
  }

  function renderAlerts(body) {
    // GET /monitoring/alerts answers { alerts, next_cursor }; a bare list or { items } is read the same way.
    const items = Array.isArray(body) ? body : ((body && [body.alerts, body.items].find(Array.isArray)) ?? []);
    fillRows(
      'alert-rows',
      items.length
        ? items.map((a) =>
            h(
              'tr',
              { 'data-testid': 'alert-row' },
              timeCell(a.created_at),
              h('td', { text: label(ALERT_KINDS, a.kind) }),
              h('td', { text: a.title ?? '—' }),
              h('td', { class: a.status === 'failed' ? 'bad-text' : undefined, text: label(ALERT_STATUSES, a.status) }),
              h('td', { class: 'num', text: formatCount(Array.isArray(a.notifications) ? a.notifications.length : a.notifications) }),
            ),
          )
        : [emptyRow(5, 'No alerts.', 'alerts-empty')],
    );
  }

  function renderAlertsUnavailable() {
    fillRows('alert-rows', emptyRow(5, 'Alert log unavailable on this service.', 'alerts-unavailable'));
  }

  // ---- status, errors, key --------------------------------------------------------------------

  function setState(name, message) {
    document.body.dataset.state = name;
    ui.status.textContent = message;
  }

  /** The reasons a refresh failed; `partly`: the numbers are fresh, only some other part is not. */
  function showBanner(lines, partly = false) {
    const title = partly ? 'Part of the page could not be refreshed.' : 'Refresh failed.';
    const when = !partly && state.lastOk ? ` Showing the data of ${clock.format(state.lastOk)}.` : '';
    ui.banner.replaceChildren(h('strong', { text: title }), document.createTextNode(when), h('ul', {}, ...lines.map((l) => h('li', { text: l }))));
    ui.banner.hidden = false;
  }

  function hideBanner() {
    ui.banner.hidden = true;
    ui.banner.replaceChildren();
  }

  function askForKey(err) {
    const hadKey = Boolean(currentKey());
    if (hadKey) storeKey(undefined);
    state.waitingForKey = true;
    ui.authWhy.textContent =
      err.status === 403
        ? 'This key lacks the monitoring:read scope. Paste a key that holds it (kept in this tab only, sent as Authorization: Bearer).'
        : hadKey
          ? 'The key was refused (unknown or revoked). Paste a key with the monitoring:read scope (kept in this tab only, sent as Authorization: Bearer).'
          : 'The monitoring routes need an API key with the monitoring:read scope. It is kept in this browser tab only (sessionStorage) and sent as Authorization: Bearer.';
    ui.authForm.hidden = false;
    ui.keyInput.value = '';
    ui.keyInput.focus();
    setState('need-key', 'Waiting for an API key');
  }

  // ---- refresh loop -----------------------------------------------------------------------------

  function schedule() {
    clearTimeout(state.timer);
    state.timer = undefined;
    if (ui.auto.checked && !state.waitingForKey) state.timer = setTimeout(refresh, REFRESH_MS);
  }

  function refresh() {
    // Asked for while one is on its way (a click, a new or forgotten key): run again once it is
    // done, so what was asked for (e.g. the key just pasted) is what the page ends up showing.
    if (state.inFlight) {
      state.again = true;
      return state.inFlight;
    }
    clearTimeout(state.timer);
    state.inFlight = load()
      .catch((err) => {
        // A bug in rendering must still leave the page readable, with the reason on screen.
        showBanner([err && err.message ? err.message : String(err)]);
        setState('error', 'Refresh failed');
      })
      .finally(() => {
        state.inFlight = undefined;
        state.refreshes += 1;
        document.body.dataset.refreshes = String(state.refreshes);
        ui.main.removeAttribute('aria-busy');
        if (state.again) {
          state.again = false;
          refresh();
        } else schedule();
      });
    return state.inFlight;
  }

  async function load() {
    setState(document.body.dataset.state === 'ready' ? 'refreshing' : 'loading', 'Refreshing…');
    ui.main.setAttribute('aria-busy', 'true');
    const from = new Date(Date.now() - TREND_HOURS * 3600_000).toISOString();
    const [overview, trends, alerts] = await Promise.allSettled([
      api('/monitoring/overview'),
      api(`/monitoring/trends?granularity=hour&from=${encodeURIComponent(from)}`),
      api('/monitoring/alerts?limit=10'),
    ]);
    const refused = [overview, trends, alerts].find((r) => r.status === 'rejected' && (r.reason.status === 401 || r.reason.status === 403));
    if (refused) {
      // Refused with a key that is no longer the current one (pasted or forgotten meanwhile): the
      // new key gets its own try rather than being thrown away as "refused".
      if (refused.reason.key !== currentKey()) state.again = true;
      else askForKey(refused.reason);
      return;
    }
    state.waitingForKey = false;
    ui.authForm.hidden = true;

    const problems = [];
    const attempt = (result, render) => {
      if (result.status === 'rejected') return problems.push(result.reason.message);
      try {
        render(result.value);
      } catch (err) {
        problems.push(`${err && err.message ? err.message : err}`);
      }
    };
    attempt(overview, renderOverview);
    attempt(trends, renderTrends);
    if (alerts.status === 'rejected' && alerts.reason.status === 404) renderAlertsUnavailable();
    else attempt(alerts, renderAlerts);

    if (overview.status === 'fulfilled') {
      state.lastOk = new Date();
      ui.lastRefresh.dateTime = state.lastOk.toISOString();
      ui.lastRefresh.textContent = clock.format(state.lastOk);
    }
    if (problems.length) {
      showBanner(problems, overview.status === 'fulfilled');
      setState('error', 'Refresh failed');
    } else {
      hideBanner();
      setState('ready', 'Up to date');
    }
  }

  // ---- wiring -------------------------------------------------------------------------------------

  ui.refresh.addEventListener('click', () => refresh());
  ui.auto.addEventListener('change', () => (ui.auto.checked ? refresh() : schedule()));
  ui.forgetKey.addEventListener('click', () => {
    storeKey(undefined);
    refresh();
  });
  ui.authForm.addEventListener('submit', (event) => {
    event.preventDefault(); // never a real submission: the key must not end up in a URL
    const key = ui.keyInput.value.trim();
    if (!key) return;
    storeKey(key);
    ui.keyInput.value = '';
    ui.authForm.hidden = true;
    state.waitingForKey = false;
    refresh();
  });
  // Background tabs get throttled timers: catch up as soon as the page is visible again.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && ui.auto.checked && !state.waitingForKey && (!state.lastOk || Date.now() - state.lastOk.getTime() >= REFRESH_MS)) refresh();
  });

  ui.forgetKey.hidden = !currentKey();
  refresh();
})();

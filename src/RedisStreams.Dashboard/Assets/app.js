// RedisStreams dashboard: plain JavaScript, no dependencies, nothing loaded from elsewhere.
//
// Safety rule: everything that comes from Redis (queue names, headers, bodies, consumer names, reasons) reaches the
// page through text nodes or attribute values set one by one (h() below), never as markup: innerHTML is not used
// anywhere. The server's content security policy refuses inline scripts on top of that.
'use strict';

(() => {
  const state = {
    info: null,
    view: null,          // { name: 'overview' | 'queue' | 'topics', queue, source }
    timer: null,
    lastGood: null,      // Date of the last successful refresh
    refreshes: 0,
    overview: { sort: 'queue', desc: false, filter: '', attention: false, data: null },
    carriedNotice: null, // a notice to show on the next page, after a navigation the action caused
    browser: null,       // message browser of the queue page: { queue, source, pages: [after...], page, selected:Set }
    details: null,
  };

  // ---- DOM helpers: text only -------------------------------------------------------------------------------

  /** Creates an element; string and number children become text nodes, attributes are set one by one. */
  function h(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'class') element.className = value;
      else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
      else if (name === 'dataset') Object.assign(element.dataset, value);
      else if (name === 'checked' || name === 'disabled' || name === 'value') element[name] = value;
      else element.setAttribute(name, value === true ? '' : String(value));
    }
    append(element, children);
    return element;
  }

  function append(element, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }

  const $ = id => document.getElementById(id);

  function replace(element, ...children) {
    element.replaceChildren();
    append(element, children);
  }

  const queueLink = (queue, source) => '#/queue/' + encodeURIComponent(queue) + (source === 'dead-letters' ? '/dead-letters' : '');

  // ---- Formatting -------------------------------------------------------------------------------------------

  const numberFormat = new Intl.NumberFormat('en-US');
  const num = value => value === null || value === undefined ? '–' : numberFormat.format(value);

  function age(seconds) {
    if (seconds === null || seconds === undefined) return '–';
    const s = Math.floor(seconds);
    const pad = n => String(n).padStart(2, '0');
    if (s < 60) return s + 's';
    if (s < 3600) return Math.floor(s / 60) + 'm ' + pad(s % 60) + 's';
    if (s < 86400) return Math.floor(s / 3600) + 'h ' + pad(Math.floor(s % 3600 / 60)) + 'm';
    return Math.floor(s / 86400) + 'd ' + pad(Math.floor(s % 86400 / 3600)) + 'h';
  }

  function time(iso) {
    const d = new Date(iso);
    const pad = n => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }

  // ---- API --------------------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, code, message) { super(message); this.status = status; this.code = code; }
  }

  async function api(path, body) {
    const init = body === undefined
      ? { headers: { Accept: 'application/json' } }
      : { method: 'POST', headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'X-RedisStreams-Dashboard': '1' }, body: JSON.stringify(body) };
    let response;
    try {
      response = await fetch('api/' + path, init);
    } catch (e) {
      throw new ApiError(0, 'unreachable', 'The dashboard does not answer (' + e.message + '). Is the application that hosts it running?');
    }
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { /* not JSON: reported below */ }
    if (!response.ok) {
      throw new ApiError(response.status, data && data.error || 'http-' + response.status, data && data.message || `The dashboard answered ${response.status} ${response.statusText}.`);
    }
    return data;
  }

  function notify(text, kind) {
    const notice = $('notice');
    notice.className = 'notice' + (kind ? ' ' + kind : '');
    replace(notice, text);
    notice.hidden = !text;
  }

  // ---- Live status ------------------------------------------------------------------------------------------

  function markFresh() {
    state.lastGood = new Date();
    state.refreshes++;
    document.body.dataset.refreshes = String(state.refreshes);
    $('main').classList.remove('stale');
    const live = $('live');
    live.classList.remove('stale');
    live.textContent = 'live · updated ' + state.lastGood.toLocaleTimeString();
  }

  function markStale(error) {
    $('main').classList.toggle('stale', state.lastGood !== null);
    const live = $('live');
    live.classList.add('stale');
    live.textContent = (error.status === 503 ? 'Redis unreachable' : 'refresh failed') + (state.lastGood ? ' · showing ' + state.lastGood.toLocaleTimeString() : '');
    live.title = error.message;
  }

  // ---- Routing ----------------------------------------------------------------------------------------------

  function parseRoute() {
    const hash = location.hash.replace(/^#/, '') || '/';
    const parts = hash.split('/').filter(p => p.length > 0);
    if (parts[0] === 'queue' && parts.length >= 2) {
      return { name: 'queue', queue: decodeURIComponent(parts[1]), source: parts[2] === 'dead-letters' ? 'dead-letters' : 'queue' };
    }
    if (parts[0] === 'topics') return { name: 'topics' };
    return { name: 'overview' };
  }

  async function route() {
    state.view = parseRoute();
    const carried = state.carriedNotice;
    state.carriedNotice = null;
    notify(carried ? carried.text : '', carried && carried.kind);
    for (const [id, name] of [['nav-queues', 'overview'], ['nav-topics', 'topics']]) {
      $(id).classList.toggle('current', state.view.name === name || (name === 'overview' && state.view.name === 'queue'));
    }
    const main = $('main');
    main.replaceChildren();
    main.classList.remove('stale');
    if (state.view.name === 'overview') {
      renderOverviewFrame(main);
    } else if (state.view.name === 'queue') {
      renderQueueFrame(main, state.view.queue, state.view.source);
    } else {
      renderTopicsFrame(main);
    }
    await refresh();
  }

  async function refresh() {
    const view = state.view;
    try {
      if (view.name === 'overview') {
        state.overview.data = await api('queues');
        if (view === state.view) renderOverviewData();
      } else if (view.name === 'queue') {
        const details = await api('queue?name=' + encodeURIComponent(view.queue));
        if (view === state.view) renderQueueDetails(details);
      } else {
        const topics = await api('topics');
        if (view === state.view) renderTopics(topics);
      }
      markFresh();
    } catch (error) {
      // The answer to a refresh of a page the operator has since left (say, a queue deleted meanwhile) must not
      // replace the page now shown.
      if (view !== state.view) return;
      if (error.code === 'queue-not-found' && view.name === 'queue') {
        renderQueueMissing(view.queue, error.message);
        markFresh();
        return;
      }
      markStale(error);
      if (!state.lastGood || error.status !== 503) notify(error.message, 'error');
    }
  }

  // ---- Overview ---------------------------------------------------------------------------------------------

  const columns = [
    { key: 'queue', label: 'Queue', text: true },
    { key: 'depth', label: 'Depth', title: 'Messages waiting or in processing' },
    { key: 'waiting', label: 'Waiting', title: 'Not yet delivered to a consumer (Redis group lag)' },
    { key: 'pending', label: 'Pending', title: 'Delivered, not yet acknowledged' },
    { key: 'oldestPendingSeconds', label: 'Oldest pending', title: 'Age of the oldest message in processing, on the Redis clock' },
    { key: 'consumers', label: 'Consumers' },
    { key: 'delayed', label: 'Delayed', title: 'Scheduled for later' },
    { key: 'deadLetters', label: 'Dead letters' },
    { key: 'errorQueueDepth', label: 'Error queue', title: 'MassTransit <queue>_error, else Rebus error (shared)' },
    { key: 'status', label: 'Status', text: true, unsortable: true },
  ];

  function renderOverviewFrame(main) {
    const o = state.overview;
    main.append(
      h('div', { class: 'tiles', id: 'tiles' }),
      h('div', { class: 'toolbar' },
        h('input', { type: 'search', id: 'filter', placeholder: 'Filter queues by name', value: o.filter, oninput: e => { o.filter = e.target.value; renderOverviewData(); } }),
        h('label', { class: 'check' }, h('input', { type: 'checkbox', id: 'attention', checked: o.attention, onchange: e => { o.attention = e.target.checked; renderOverviewData(); } }), 'Only queues that need attention'),
        h('span', { class: 'spacer' })),
      h('table', { id: 'queues' },
        h('thead', {}, h('tr', {}, columns.map(c => h('th', {
          class: (c.text ? '' : 'num ') + (c.unsortable ? '' : 'sortable'),
          title: c.title,
          dataset: { col: c.key },
          onclick: c.unsortable ? null : () => sortBy(c.key, !c.text),
        }, c.label)))),
        h('tbody', { id: 'queue-rows' })));
  }

  function sortBy(key, numeric) {
    const o = state.overview;
    o.desc = o.sort === key ? !o.desc : numeric;
    o.sort = key;
    renderOverviewData();
  }

  function renderOverviewData() {
    const o = state.overview;
    const data = o.data;
    if (!data || !$('queue-rows')) return;
    const t = data.totals;
    replace($('tiles'),
      tile('Queues', t.queues, null, 'queues'),
      tile('Messages waiting or in processing', t.depth, null, 'depth'),
      tile('In processing', t.pending, null, 'pending'),
      tile('Dead letters', t.deadLetters, t.deadLetters > 0 ? 'alert' : null, 'dead-letters'),
      tile('Failed (in error queues)', t.failedMessages, t.failedMessages > 0 ? 'alert' : null, 'failed'),
      tile('Queues needing attention', t.queuesWithAlerts + t.queuesWithWarnings, t.queuesWithAlerts > 0 ? 'alert' : t.queuesWithWarnings > 0 ? 'warn' : null, 'attention'));

    for (const th of document.querySelectorAll('#queues th')) {
      th.classList.toggle('sorted', th.dataset.col === o.sort);
      th.classList.toggle('asc', th.dataset.col === o.sort && !o.desc);
    }

    const filter = o.filter.trim().toLowerCase();
    let rows = data.queues.filter(q => (!filter || q.queue.toLowerCase().includes(filter)) && (!o.attention || q.findings.some(f => f.level !== 'info')));
    const value = q => o.sort === 'queue' ? q.queue : q[o.sort] ?? -1;
    rows.sort((a, b) => {
      const x = value(a), y = value(b);
      const order = typeof x === 'string' ? x.localeCompare(y) : x - y;
      return o.desc ? -order : order;
    });

    const body = $('queue-rows');
    if (rows.length === 0) {
      replace(body, h('tr', {}, h('td', { colspan: columns.length, class: 'empty' },
        data.queues.length === 0 ? `No queue under the key prefix '${state.info.keyPrefix}'. Is it the prefix the applications use?` : 'No queue matches the filter.')));
      return;
    }
    // Rows whose numbers did not change stay the same nodes: a click that spans a refresh still lands.
    const previous = o.rows || new Map();
    o.rows = new Map();
    replace(body, rows.map(q => {
      const signature = JSON.stringify(q);
      const kept = previous.get(q.queue);
      const row = kept && kept.signature === signature ? kept.row : queueRow(q);
      o.rows.set(q.queue, { signature, row });
      return row;
    }));
  }

  function queueRow(q) {
    const level = q.findings.some(f => f.level === 'alert') ? 'alert' : q.findings.some(f => f.level === 'warn') ? 'warn' : '';
    return h('tr', { class: level, dataset: { queue: q.queue } },
      h('td', { class: 'queue-name', dataset: { col: 'queue' } },
        h('a', { href: queueLink(q.queue) }, q.queue),
        q.isErrorQueue ? [' ', h('span', { class: 'badge' }, 'error queue')] : null),
      numCell('depth', q.depth),
      numCell('waiting', q.waiting),
      numCell('pending', q.pending),
      h('td', { class: 'num' + (q.oldestPendingSeconds === null ? ' zero' : ''), dataset: { col: 'oldestPendingSeconds' } }, age(q.oldestPendingSeconds)),
      numCell('consumers', q.consumers),
      numCell('delayed', q.delayed),
      h('td', { class: 'num' + (q.deadLetters > 0 ? ' hot' : ' zero'), dataset: { col: 'deadLetters' } },
        q.deadLetters > 0 ? h('a', { href: queueLink(q.queue, 'dead-letters') }, num(q.deadLetters)) : '0'),
      h('td', { class: 'num' + (q.errorQueueDepth > 0 ? ' hot' : ' zero'), dataset: { col: 'errorQueueDepth' } },
        q.errorQueue ? h('a', { href: queueLink(q.errorQueue), title: q.errorQueue }, num(q.errorQueueDepth)) : '–'),
      h('td', { class: 'status', dataset: { col: 'status' } },
        q.findings.length === 0 ? h('span', { class: 'ok-text' }, 'OK') : q.findings.map(f => h('span', { class: 'finding ' + f.level }, f.text))));
  }

  function tile(label, value, level, key) {
    return h('div', { class: 'tile' + (level ? ' ' + level : ''), dataset: { tile: key } }, h('div', { class: 'value' }, num(value)), h('div', { class: 'label' }, label));
  }

  function numCell(key, value) {
    return h('td', { class: 'num' + (!value ? ' zero' : ''), dataset: { col: key } }, num(value));
  }

  // ---- Queue page -------------------------------------------------------------------------------------------

  function renderQueueFrame(main, queue, source) {
    state.details = null;
    state.browser = { queue, source, afters: [null], index: 0, selected: new Set(), page: null };
    main.append(
      h('div', { class: 'crumbs' }, h('a', { href: '#/' }, 'Queues'), ' / ', queue, source === 'dead-letters' ? ' / dead letters' : ''),
      h('div', { class: 'heading' }, h('h1', { id: 'queue-title' }, queue), h('span', { id: 'queue-badges' })),
      h('div', { class: 'findings', id: 'queue-findings' }),
      h('div', { class: 'stats', id: 'queue-stats' }),
      h('div', { id: 'queue-groups' }),
      h('div', { class: 'tabs', id: 'queue-tabs' }),
      h('div', { class: 'toolbar', id: 'queue-actions' }),
      h('div', { id: 'browser' }));
    loadMessages();
  }

  function renderQueueMissing(queue, message) {
    const main = $('main');
    replace(main,
      h('div', { class: 'crumbs' }, h('a', { href: '#/' }, 'Queues'), ' / ', queue),
      h('h1', {}, queue),
      h('p', { class: 'empty' }, message));
  }

  function renderQueueDetails(details) {
    if (!$('queue-stats')) return;
    state.details = details;
    const s = details.summary;
    replace($('queue-badges'), s.isErrorQueue ? h('span', { class: 'badge alert' }, 'error queue') : null);
    replace($('queue-findings'), s.findings.map(f => h('div', { class: 'finding ' + f.level }, f.text)));
    const stat = (label, value, key, wide) => h('div', { class: 'stat' + (wide ? ' wide' : ''), dataset: { stat: key } }, h('div', { class: 'label' }, label), h('div', { class: 'value' + (wide ? ' mono' : '') }, value));
    replace($('queue-stats'),
      stat('Depth', num(s.depth), 'depth'),
      stat('Waiting', num(s.waiting), 'waiting'),
      stat('Pending', num(s.pending), 'pending'),
      stat('Oldest pending', age(s.oldestPendingSeconds), 'oldest'),
      stat('Consumers', num(s.consumers), 'consumers'),
      stat('Delayed', num(s.delayed) + (details.nextDelayedDue ? ' (next ' + time(details.nextDelayedDue) + ')' : ''), 'delayed'),
      stat('Dead letters', s.deadLetters > 0 ? h('a', { href: queueLink(s.queue, 'dead-letters') }, num(s.deadLetters)) : '0', 'dead-letters'),
      stat('Error queue', s.errorQueue ? h('a', { href: queueLink(s.errorQueue) }, s.errorQueue + ' (' + num(s.errorQueueDepth) + ')') : '–', 'error-queue'),
      stat('Stream length', num(s.length), 'length'),
      stat('Entries, oldest … newest', details.firstEntryId ? details.firstEntryId + ' … ' + details.lastEntryId : '–', 'entries', true));

    replace($('queue-groups'), details.groups.length === 0
      ? h('p', { class: 'empty' }, 'No consumer group: nothing has consumed this queue yet.')
      : details.groups.map(g => h('div', { class: 'group', dataset: { group: g.name } },
        h('h2', {}, 'Group ', g.name),
        h('div', { class: 'group-head' },
          h('strong', {}, num(g.pending)), ' pending · ', h('strong', {}, num(g.waiting)), ' waiting · last delivered ', h('code', {}, g.lastDeliveredId),
          g.oldestPendingId ? [' · oldest pending ', h('code', {}, g.oldestPendingId), ' (', age(g.oldestPendingSeconds), ')'] : null),
        g.consumers.length === 0
          ? h('p', { class: 'empty' }, 'No consumer: no receiver of this group is running.')
          : h('table', { class: 'consumers' },
            h('thead', {}, h('tr', {}, h('th', {}, 'Consumer'), h('th', { class: 'num' }, 'Pending'), h('th', { class: 'num' }, 'Idle'), h('th', {}, 'Status'))),
            h('tbody', {}, g.consumers.map(c => h('tr', { dataset: { consumer: c.name }, class: c.findings.some(f => f.level === 'warn') ? 'warn' : '' },
              h('td', { class: 'mono' }, c.name),
              h('td', { class: 'num' }, num(c.pending)),
              h('td', { class: 'num' }, age(c.idleSeconds)),
              h('td', {}, c.findings.length === 0 ? h('span', { class: 'ok-text' }, 'OK') : c.findings.map(f => h('span', { class: 'finding ' + f.level }, f.text))))))))));

    const b = state.browser;
    const tabs = JSON.stringify([s.queue, b.source, s.length, s.deadLetters]);
    if (b.tabs !== tabs) {
      b.tabs = tabs;
      replace($('queue-tabs'),
        h('a', { href: queueLink(s.queue), class: b.source === 'queue' ? 'current' : '', id: 'tab-messages' }, 'Messages (', num(s.length), ')'),
        h('a', { href: queueLink(s.queue, 'dead-letters'), class: b.source === 'dead-letters' ? 'current' : '', id: 'tab-dead-letters' }, 'Dead letters (', num(s.deadLetters), ')'));
    }
    renderActions();
  }

  /** The buttons above the message browser: what can be done with this queue or its dead letters. */
  function renderActions() {
    const b = state.browser;
    const s = state.details && state.details.summary;
    if (!s || !$('queue-actions')) return;
    const allowed = state.info.actionsAllowed;
    const why = allowed ? null : state.info.actionsReason;
    const canRedrive = b.source === 'dead-letters' || s.isErrorQueue;
    const messages = b.source === 'dead-letters' ? s.deadLetters : s.length;
    const signature = JSON.stringify([allowed, b.source, b.selected.size, s.isErrorQueue, s.inRedrive, messages, s.length + s.delayed, s.deadLetters]);
    if (b.actions === signature) return;
    b.actions = signature;
    const button = (id, label, onclick, enabled, cls) => h('button', { id, class: cls, disabled: !allowed || !enabled, title: why, onclick }, label);
    replace($('queue-actions'),
      canRedrive ? [
        button('redrive-selected', `Redrive selected (${b.selected.size})`, () => redrive({ ids: [...b.selected] }), b.selected.size > 0, 'primary'),
        button('redrive-all', 'Redrive all', () => redrive({ all: true }), messages > 0),
      ] : null,
      s.isErrorQueue && s.inRedrive > 0 ? button('complete-redrive', `Complete interrupted redrive (${s.inRedrive})`, () => redrive({ completeInterrupted: true }), true) : null,
      h('span', { class: 'spacer' }),
      b.source === 'dead-letters'
        ? button('purge', 'Purge dead letters…', () => purge(true), s.deadLetters > 0, 'danger')
        : button('purge', 'Purge messages…', () => purge(false), s.length + s.delayed > 0, 'danger'),
      b.source === 'queue' ? button('delete', 'Delete queue…', () => removeQueue(), true, 'danger') : null);
  }

  // ---- Message browser --------------------------------------------------------------------------------------

  async function loadMessages() {
    const b = state.browser;
    const browser = $('browser');
    if (!browser) return;
    const after = b.afters[b.index];
    try {
      const page = await api('messages?queue=' + encodeURIComponent(b.queue) + '&source=' + b.source + '&count=20' + (after ? '&after=' + encodeURIComponent(after) : ''));
      if (b !== state.browser) return;
      b.page = page;
      renderMessages();
    } catch (error) {
      if (b !== state.browser) return;
      replace(browser, h('p', { class: 'empty' }, error.message));
    }
  }

  function renderMessages() {
    const b = state.browser;
    const page = b.page;
    // Before the details arrive, the same naming rule as the engine's QueueSummary.IsErrorQueue.
    const canSelect = b.source === 'dead-letters' || (state.details ? state.details.summary.isErrorQueue : /(_error|_skipped)$/.test(b.queue) || b.queue === 'error');
    const first = b.index * 20 + 1;
    const pager = () => h('div', { class: 'pager' },
      h('button', { class: 'prev-page', disabled: b.index === 0, onclick: () => { b.index--; loadMessages(); } }, '← Previous'),
      h('button', { class: 'next-page', disabled: !page.nextAfter, onclick: () => { b.afters[b.index + 1] = page.nextAfter; b.index++; loadMessages(); } }, 'Next →'),
      h('button', { class: 'reload', onclick: () => loadMessages() }, 'Reload'),
      page.messages.length > 0 ? `entries ${first}–${first + page.messages.length - 1}, oldest first` : null);

    if (page.messages.length === 0) {
      replace($('browser'), pager(), h('p', { class: 'empty' }, b.source === 'dead-letters' ? 'No dead letters.' : 'The queue is empty.'));
      return;
    }
    const selectAll = canSelect ? h('label', { class: 'check' }, h('input', {
      type: 'checkbox', id: 'select-page', checked: page.messages.every(m => b.selected.has(m.entryId)),
      onchange: e => { for (const m of page.messages) e.target.checked ? b.selected.add(m.entryId) : b.selected.delete(m.entryId); renderMessages(); renderActions(); },
    }), 'Select every message on this page') : null;
    replace($('browser'), pager(), selectAll, h('div', { class: 'messages' }, page.messages.map(m => messageCard(m, canSelect))), pager());
  }

  function messageCard(m, canSelect) {
    const b = state.browser;
    const selected = b.selected.has(m.entryId);
    const fault = faultOf(m);
    const origin = m.headers['MT-Fault-InputAddress'] || m.headers['rbs2-source-queue'];
    return h('article', { class: 'message' + (selected ? ' selected' : ''), dataset: { entryId: m.entryId } },
      h('div', { class: 'message-head' },
        canSelect ? h('input', {
          type: 'checkbox', class: 'select', checked: selected, 'aria-label': 'Select ' + m.entryId,
          onchange: e => { e.target.checked ? b.selected.add(m.entryId) : b.selected.delete(m.entryId); e.target.closest('.message').classList.toggle('selected', e.target.checked); renderActions(); },
        }) : null,
        h('span', { class: 'id mono' }, m.entryId),
        h('span', { class: 'when' }, time(m.enqueuedAt)),
        m.transportFields['dead-letter-delivery-count'] ? h('span', { class: 'badge' }, 'delivered ' + m.transportFields['dead-letter-delivery-count'] + '×') : null),
      fault ? h('div', { class: 'fault' }, h('span', { class: 'label' }, fault.label + ': '), fault.text) : null,
      origin ? h('div', { class: 'origin' }, 'Failed in: ', h('code', {}, origin)) : null,
      m.problem ? h('div', { class: 'problem' }, 'Not a well-formed message: ', m.problem) : null,
      headerList(m),
      bodyView(m.body));
  }

  /** Why the message failed, from whichever transport or framework recorded it. */
  function faultOf(m) {
    const f = m.transportFields, hd = m.headers;
    if (f['dead-letter-reason']) return { label: 'Dead-lettered', text: f['dead-letter-reason'] };
    if (hd['MT-Fault-Message']) return { label: hd['MT-Fault-ExceptionType'] || 'Fault', text: hd['MT-Fault-Message'] };
    if (hd['rbs2-error-details']) return { label: 'Error', text: hd['rbs2-error-details'].split('\n')[0] };
    return null;
  }

  function headerList(m) {
    const entries = [
      ...Object.entries(m.transportFields).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v, true]),
      ...Object.entries(m.headers).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v, false]),
    ];
    if (entries.length === 0) return null;
    return h('dl', { class: 'headers' }, entries.map(([name, value, transport]) => [
      h('dt', { class: transport ? 'transport' : '', title: transport ? 'written by the transport' : null }, transport ? '$' + name : name),
      h('dd', {}, transport && name === 'dead-letter-time' && /^\d+$/.test(value) ? value + ' (' + time(Number(value)) + ')' : value.length > 240 || value.includes('\n')
        ? h('details', {}, h('summary', {}, value.split('\n')[0].slice(0, 160) + ' …'), value)
        : value),
    ]));
  }

  function bodyView(body) {
    if (body.length === 0) return h('div', { class: 'body-meta' }, 'Body: empty');
    if (body.text !== null) {
      let text = body.text;
      let kind = 'text';
      if (!body.truncated && /^\s*[[{]/.test(text)) {
        try { text = JSON.stringify(JSON.parse(text), null, 2); kind = 'JSON'; } catch { /* shown as sent */ }
      }
      return [
        h('div', { class: 'body-meta' }, `Body: ${num(body.length)} bytes, ${kind}` + (body.truncated ? ', first 16 KiB shown' : '')),
        h('pre', { class: 'body' }, text),
      ];
    }
    return [
      h('div', { class: 'body-meta' }, `Body: ${num(body.length)} bytes, binary (not UTF-8 text), shown as hex` + (body.truncated ? `, first ${body.hex.length / 2} bytes` : '')),
      h('pre', { class: 'body hex' }, hexDump(body.hex)),
    ];
  }

  function hexDump(hex) {
    const lines = [];
    for (let offset = 0; offset < hex.length / 2; offset += 16) {
      const bytes = [];
      for (let i = offset; i < Math.min(offset + 16, hex.length / 2); i++) bytes.push(parseInt(hex.substr(i * 2, 2), 16));
      const hexPart = bytes.map(x => x.toString(16).padStart(2, '0')).join(' ').padEnd(47, ' ');
      const ascii = bytes.map(x => x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : '.').join('');
      lines.push(offset.toString(16).padStart(8, '0') + '  ' + hexPart + '  ' + ascii);
    }
    return lines.join('\n');
  }

  // ---- Actions ----------------------------------------------------------------------------------------------

  /** Opens the confirmation dialog; resolves to true when confirmed. With `typed`, the operator must type it first. */
  function confirmDialog({ title, body, confirmLabel, typed, danger = true }) {
    const dialog = $('confirm-dialog');
    replace($('confirm-title'), title);
    replace($('confirm-body'), body);
    const ok = $('confirm-ok');
    ok.textContent = confirmLabel;
    ok.className = danger ? 'danger' : 'primary';
    const input = $('confirm-input');
    $('confirm-typed').hidden = !typed;
    $('confirm-expected').textContent = typed || '';
    input.value = '';
    ok.disabled = !!typed;
    input.oninput = () => { ok.disabled = input.value !== typed; };
    return new Promise(resolve => {
      const close = result => { dialog.close(); ok.onclick = null; $('confirm-cancel').onclick = null; dialog.oncancel = null; resolve(result); };
      ok.onclick = () => { if (!ok.disabled) close(true); };
      input.onkeydown = e => { if (e.key === 'Enter' && !ok.disabled) close(true); };
      $('confirm-cancel').onclick = () => close(false);
      dialog.oncancel = () => close(false);
      dialog.showModal();
      (typed ? input : $('confirm-cancel')).focus();
    });
  }

  async function redrive(selection) {
    const b = state.browser;
    const source = b.source === 'dead-letters' ? 'dead-letters' : 'error-queue';
    const request = { queue: b.queue, source, ...selection };
    let plan;
    try {
      plan = await api('redrive', { ...request, dryRun: true });
    } catch (error) {
      notify(error.message, 'error');
      return;
    }
    const moves = Object.entries(plan.movedTo);
    const left = plan.items.filter(i => i.outcome === 'skipped');
    const missing = plan.items.filter(i => i.outcome === 'notFound');
    const keep = h('input', { type: 'checkbox', id: 'keep-fault-headers' });
    const what = selection.completeInterrupted ? 'the moves an interrupted redrive left unfinished' : selection.all ? 'every message present now' : `${selection.ids.length} selected message(s)`;
    const confirmed = await confirmDialog({
      title: `Redrive from ${source === 'dead-letters' ? 'the dead letters of ' : ''}${b.queue}`,
      body: [
        h('p', {}, `Moves ${what} back to where they came from, each atomically: never in both places, never in neither. Each starts over as a new message.`),
        moves.length === 0 ? h('p', { class: 'problem' }, 'Nothing would move.') : h('p', {}, 'Will move:'),
        h('ul', { id: 'redrive-plan' }, moves.map(([queue, count]) => h('li', {}, `${num(count)} message(s) → `, h('strong', {}, queue)))),
        left.length ? [h('p', {}, `${left.length} would stay where they are:`), h('ul', {}, left.map(i => h('li', {}, h('code', {}, i.entryId), ': ', i.note)))] : null,
        missing.length ? h('p', {}, `${missing.length} selected message(s) are no longer there (moved or removed meanwhile).`) : null,
        h('label', { class: 'check' }, keep, 'Keep the fault headers on the moved messages'),
      ],
      confirmLabel: moves.length ? `Move ${num(plan.moved)} message(s)` : 'Run anyway',
      danger: false,
    });
    if (!confirmed) return;
    try {
      const report = await api('redrive', { ...request, keepFaultHeaders: keep.checked });
      const lines = [`Moved ${num(report.moved)} message(s)` + (Object.keys(report.movedTo).length ? ' to ' + Object.entries(report.movedTo).map(([q, n]) => `${q} (${n})`).join(', ') : '') + '.'];
      for (const item of report.items.filter(i => i.outcome === 'skipped')) lines.push(`Left ${item.entryId}: ${item.note}`);
      if (report.notFound > 0) lines.push(`${report.notFound} message(s) were no longer there.`);
      notify(lines.join('\n'), report.skipped > 0 ? 'error' : 'ok');
      b.selected.clear();
    } catch (error) {
      notify(error.message, 'error');
    }
    await refresh();
    await loadMessages();
  }

  async function purge(deadLetters) {
    const b = state.browser;
    const s = state.details.summary;
    const confirmed = await confirmDialog({
      title: deadLetters ? `Purge the dead letters of ${b.queue}` : `Purge ${b.queue}`,
      body: deadLetters
        ? h('p', {}, `Deletes all ${num(s.deadLetters)} dead letter(s) of this queue for good. They cannot be redriven afterwards.`)
        : h('p', {}, `Deletes all ${num(s.length)} message(s) of this queue, pending ones too, and ${num(s.delayed)} scheduled message(s), for good. Consumer groups stay, emptied, so running consumers carry on. Dead letters stay.`),
      confirmLabel: 'Purge',
      typed: b.queue,
    });
    if (!confirmed) return;
    try {
      const result = await api('purge', { queue: b.queue, deadLetters, confirm: b.queue });
      notify(`Purged ${b.queue}: removed ${num(result.removed)} ${deadLetters ? 'dead letter(s)' : 'message(s)'}.`, 'ok');
    } catch (error) {
      notify(error.message, 'error');
    }
    await refresh();
    await loadMessages();
  }

  async function removeQueue() {
    const b = state.browser;
    const s = state.details.summary;
    const confirmed = await confirmDialog({
      title: `Delete ${b.queue}`,
      body: h('p', {}, `Deletes everything this queue owns for good: ${num(s.length)} message(s), ${num(s.deadLetters)} dead letter(s), ${num(s.delayed)} scheduled, its consumer groups, and its subscriptions to topics. A running application creates it again, empty.`),
      confirmLabel: 'Delete',
      typed: b.queue,
    });
    if (!confirmed) return;
    try {
      const removal = await api('delete', { queue: b.queue, confirm: b.queue });
      // Shown on the overview, where the page goes next.
      state.carriedNotice = { text: `Deleted ${b.queue} with ${num(removal.messages)} message(s) and ${num(removal.deadLetters)} dead letter(s).`, kind: 'ok' };
      location.hash = '#/';
    } catch (error) {
      notify(error.message, 'error');
    }
  }

  // ---- Topics -----------------------------------------------------------------------------------------------

  function renderTopicsFrame(main) {
    main.append(
      h('h1', {}, 'Topics'),
      h('p', { class: 'crumbs' }, 'A message published to a topic reaches every queue subscribed to it, and the queues of the topics it links to. A queue missing here receives nothing that is published.'),
      h('div', { id: 'topics' }));
  }

  function renderTopics(topics) {
    const holder = $('topics');
    if (!holder) return;
    if (topics.length === 0) {
      replace(holder, h('p', { class: 'empty' }, 'No topic has subscribers.'));
      return;
    }
    replace(holder, h('table', { class: 'topics' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Topic'), h('th', {}, 'Queues'), h('th', {}, 'Linked topics'))),
      h('tbody', {}, topics.map(t => h('tr', { dataset: { topic: t.topic } },
        h('td', { class: 'mono' }, t.topic),
        h('td', {}, t.queues.length ? t.queues.map((q, i) => [i ? ', ' : '', h('a', { href: queueLink(q) }, q)]) : '–'),
        h('td', { class: 'mono' }, t.linkedTopics.join(', ') || '–'))))));
  }

  // ---- Start ------------------------------------------------------------------------------------------------

  async function start() {
    try {
      state.info = await api('info');
    } catch (error) {
      $('live').textContent = 'not connected';
      $('live').classList.add('stale');
      notify(error.message, 'error');
      setTimeout(start, 5000);
      return;
    }
    const info = state.info;
    $('title').textContent = info.title;
    document.title = info.title === 'RedisStreams' ? 'RedisStreams dashboard' : info.title + ' · RedisStreams';
    $('where').textContent = `prefix ${info.keyPrefix} · Redis ${info.redis}`;
    const banner = $('read-only');
    banner.hidden = info.actionsAllowed;
    banner.textContent = info.actionsAllowed ? '' : 'Read-only. ' + info.actionsReason;
    document.body.dataset.actions = info.actionsAllowed ? 'allowed' : 'refused';
    window.addEventListener('hashchange', route);
    await route();
    state.timer = setInterval(() => { if (document.visibilityState === 'visible') refresh(); }, Math.max(1, info.refreshSeconds) * 1000);
  }

  start();
})();

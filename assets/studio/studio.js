/* catchment studio: the page of `catchment serve`.
 *
 * Plain JavaScript, no build step. Talks to the server only through the
 * HTTP contract of docs/studio.md (relative URLs, same origin). Two modes:
 *   - the planner's studio: map of units, zones and schools, the per-school
 *     table, moves (unit, village, box, lasso), optimise, undo/redo, school
 *     edits, save;
 *   - `--public` (info.public): a read-only "find my school" page.
 *
 * Units are drawn by one canvas layer of our own (UnitLayer) from typed
 * arrays, so 200,000 points pan and zoom smoothly; everything else is
 * ordinary Leaflet vector layers on canvas renderers (preferCanvas).
 *
 * Sections: constants - helpers - API - messages - state - map - unit layer -
 * zones - schools - legend - panel - popup - selection - toolbar and edits -
 * steps - public page - boot - test hooks.
 */
(function () {
  'use strict';

  // ---------------------------------------------------------------------------
  // Constants
  // ---------------------------------------------------------------------------

  const LEVEL_ZH = { primary: '小学', junior: '初中' };
  const LEVEL_EN = { primary: 'primary', junior: 'junior' };
  const LEVEL_KIND = { primary: '小学 primary', junior: '初中 junior', nine_year: '九年一贯制 nine-year' };

  /** Why students are unplaced (assignment.csv `reason`). */
  const REASON = {
    no_school_in_reach: '超出服务距离 no school in reach',
    capacity_short: '学位不足 capacity short',
    no_road_connection: '无道路连通 no road connection',
  };

  /** Why a nearer school was not given (`catchment locate`). */
  const WHY = {
    full: '学位已满 full',
    beyond_limit: '超出距离上限 beyond the travel limit',
    not_served: '寄宿制学校不招收本乡镇 boarding school for other towns',
    no_road: '无道路连通 no road',
    level: '学段不符 other level',
    private: '民办学校 private school',
    pinned: '规划指定 set by the planner',
    stability: '保持现学区 stays in its current zone',
    whole_units: '整片划分 whole-unit zones',
  };

  /** What a step did (`did` of a step answer). */
  const DID = {
    assign: '移动 Move',
    assign_many: '批量移动 Move many',
    unpin: '解除固定 Unpin',
    optimize: '优化 Optimise',
    undo: '撤销 Undo',
    redo: '重做 Redo',
    edit: '学校调整 School edit',
  };

  /** Zone and unit colours, one per school in the order schools are first seen. */
  const PALETTE = [
    '#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7',
    '#9c755f', '#5b8ff9', '#8cd17d', '#e8684a', '#a0cbe8', '#ffbe7d', '#d4a6c8',
    '#499894', '#d37295', '#b6992d', '#86bcb6', '#6f5eb0', '#c9a227',
  ];
  const UTIL = { ok: '#2f9e44', warn: '#f59f00', bad: '#e03131', none: '#adb5bd' };
  const INK = '#1d2733';
  const CHANGED = '#d6336c';
  const SELECT = '#00a3d9';
  const UNPLACED = -1; // school index of a unit with students but no school
  const NONE = -2; // no student of the level in the unit
  const CHUNK_BODY = 60000; // bytes per assign_many request when the server refuses a larger one (413)

  // ---------------------------------------------------------------------------
  // Small helpers
  // ---------------------------------------------------------------------------

  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  /** Create an element: el('div', {class: 'x', onclick: f}, child, 'text'). */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (k === 'class') e.className = v;
      else if (k === 'style') e.style.cssText = v;
      else if (k in e && typeof v !== 'string') e[k] = v;
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : String(c));
    }
    return e;
  }

  const fmtInt = (n) => (n === null || n === undefined ? '-' : Math.round(n).toLocaleString('en-US'));
  const fmtKm = (m) => (m === null || m === undefined || Number.isNaN(m) ? '-' : (m / 1000).toFixed(m < 10000 ? 2 : 1));
  const fmtPct = (u) => (u === null || u === undefined ? '-' : Math.round(u * 100) + '%');
  const signed = (n) => (n > 0 ? '+' + fmtInt(n) : n < 0 ? '-' + fmtInt(-n) : '0');

  function utilColour(u) {
    if (u === null || u === undefined || Number.isNaN(u)) return UTIL.none;
    return u > 1 ? UTIL.bad : u >= 0.85 ? UTIL.warn : UTIL.ok;
  }

  /** The level names of info.levels, which may be strings or objects. */
  function levelName(l) {
    return typeof l === 'string' ? l : l.level || l.name;
  }

  const isTyping = (t) => t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA');

  // ---------------------------------------------------------------------------
  // API: JSON over fetch; errors become ApiError with the server's message
  // ---------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  let pending = 0;

  async function api(path, body) {
    const opt = body === undefined ? { method: 'GET' } : {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    };
    pending++;
    try {
      const res = await fetch(path, opt);
      const text = await res.text();
      let data = null;
      try { data = text ? JSON.parse(text) : null; } catch { data = null; } // not JSON: the status speaks
      if (!res.ok) {
        const msg = data && data.error ? data.error : `${res.status} ${res.statusText || ''}`.trim();
        throw new ApiError(res.status, msg);
      }
      return data;
    } finally {
      pending--;
    }
  }

  // ---------------------------------------------------------------------------
  // Message bar: dismissable, repeated messages counted rather than stacked
  // ---------------------------------------------------------------------------

  function showMessage(text, kind) {
    const box = $('#messages');
    const same = $$('.msg', box).find((m) => m.dataset.text === text);
    if (same) {
      const n = Number(same.dataset.n || 1) + 1;
      same.dataset.n = n;
      $('.count', same).textContent = `x${n}`;
      return same;
    }
    const m = el('div', { class: `msg ${kind || 'info'}`, role: kind === 'error' ? 'alert' : 'status' },
      el('span', { class: 'text' }, text), el('span', { class: 'count' }),
      el('button', { class: 'x', title: '关闭 Dismiss', 'aria-label': '关闭 Dismiss', onclick: () => m.remove() }, '×'));
    m.dataset.text = text;
    while (box.children.length >= 4) box.firstChild.remove();
    box.append(m);
    if (kind !== 'error') setTimeout(() => m.remove(), 6000);
    return m;
  }

  function showError(e) {
    const msg = e instanceof ApiError ? `错误 Error ${e.status}: ${e.message}` : `错误 Error: ${e && e.message ? e.message : e}`;
    showMessage(msg, 'error');
  }

  // ---------------------------------------------------------------------------
  // State
  // ---------------------------------------------------------------------------

  /** Units as typed arrays, indexed 0..n-1 in the order of /api/units. */
  const U = {
    n: 0, ids: [], index: new Map(), lon: null, lat: null, x0: null, y0: null,
    town: [], village: [], cnt: {},
    // filled by each draw: the visible units and their canvas positions
    vis: null, vx: null, vy: null, visCount: 0, pos: null, radius: 3,
  };

  /** Per level: main school index per unit, its travel, split rows, unplaced reasons. */
  const A = {};

  const S = {
    info: null,
    public: false,
    levels: [],
    level: 'primary',
    schools: [], // [{school_id, name, level, sector, boarding, lon, lat, takes, colour, closed}]
    schoolIndex: new Map(),
    tables: {}, // level -> last /api/table answer
    prevAssigned: {}, // level -> Map(school_id -> assigned), for flashing rows
    pins: {}, // level -> Map(unit index -> school_id)
    changed: {}, // level -> Set(unit index)
    zones: null,
    zonesStale: false,
    history: { step: 0, undo: false, redo: false },
    optimal: {},
    lastMs: null,
    busy: false,
    selection: new Set(),
    focus: null, // school_id
    sort: { key: 'name', dir: 1 },
    changesOnly: false,
    redrawZones: false,
    lasso: false,
    mode: null, // null | 'pick'
    popupUnit: -1,
    tableVersion: 0,
    lastStep: null,
    lastSave: null,
    lastLocate: null,
    suppressClick: false,
  };

  // ---------------------------------------------------------------------------
  // Map
  // ---------------------------------------------------------------------------

  let map = null;
  const R = {}; // canvas renderers per pane
  const layers = {}; // boundaryFill, boundaryLine, roads, zones, schools, tiles, pick, locate

  function createMap() {
    map = L.map('map', {
      preferCanvas: true,
      boxZoom: false, // shift+drag selects units instead
      zoomSnap: 0.25,
      zoomDelta: 0.5,
      wheelPxPerZoomLevel: 90,
      attributionControl: true,
    });
    map.attributionControl.setPrefix('Leaflet (BSD-2-Clause)');
    L.control.scale({ imperial: false, position: 'bottomright' }).addTo(map);
    const panes = { basePane: 350, zonesPane: 400, linesPane: 420, unitsPane: 440, schoolsPane: 460 };
    for (const [name, z] of Object.entries(panes)) {
      map.createPane(name).style.zIndex = z;
      if (name !== 'unitsPane') R[name] = L.canvas({ pane: name, padding: 0.3 });
    }
    map.getPane('unitsPane').style.pointerEvents = 'none';
    map.on('click', onMapClick);
    map.on('zoomend', updateLabelVisibility);
    map.on('moveend', () => L.Util.requestAnimFrame(declutterLabels));
  }

  function fitCounty() {
    const b = S.info.bounds;
    if (Array.isArray(b) && b.length === 4) {
      map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { padding: [12, 12] });
    } else {
      map.setView([0, 0], 2);
    }
  }

  function addTiles() {
    if (!S.info.tiles) return;
    layers.tiles = L.tileLayer(S.info.tiles, { maxZoom: 19, attribution: '' }).addTo(map);
  }

  /** County boundary (white fill below the zones, outline above) and roads. */
  function addBaseLayers(l) {
    const hasTiles = !!S.info.tiles;
    if (l && l.boundary) {
      layers.boundaryFill = L.geoJSON(l.boundary, {
        renderer: R.basePane, interactive: false,
        style: { stroke: false, fillColor: '#ffffff', fillOpacity: hasTiles ? 0 : 0.75 },
      }).addTo(map);
      layers.boundaryLine = L.geoJSON(l.boundary, {
        renderer: R.linesPane, interactive: false,
        style: { color: '#37424e', weight: 2, fill: false, dashArray: null },
      }).addTo(map);
    }
    if (l && l.roads) {
      layers.roads = L.geoJSON(l.roads, { renderer: R.linesPane, interactive: false, style: roadStyle });
      if ($('#opt-roads').checked) layers.roads.addTo(map);
    }
  }

  function roadStyle(f) {
    const h = (f.properties && f.properties.highway) || '';
    if (/^(motorway|trunk|primary|secondary)/.test(h)) return { color: '#8d949c', weight: 1.7, opacity: 0.9 };
    if (/^tertiary/.test(h)) return { color: '#9ea5ad', weight: 1.1, opacity: 0.9 };
    return { color: '#b7bcc2', weight: 0.6, opacity: 0.9 };
  }

  function onMapClick(e) {
    if (S.suppressClick) { S.suppressClick = false; return; }
    if (S.mode === 'pick') { pickPoint(e.latlng); return; }
    if (S.public) { locateAt(e.latlng.lng, e.latlng.lat); return; }
    const i = unitLayer ? unitLayer.hit(e.containerPoint) : -1;
    if (i >= 0) openUnitPopup(i);
  }

  // ---------------------------------------------------------------------------
  // Unit layer: one canvas, typed arrays, drawn per view
  // ---------------------------------------------------------------------------

  /** Pixel size of a unit dot at a zoom. */
  function unitRadius(z) {
    return z < 10.5 ? 2 : z < 11.5 ? 2.5 : z < 12.5 ? 3 : z < 13.5 ? 3.5 : z < 14.5 ? 4.5 : 5.5;
  }

  const UnitLayer = L.Layer.extend({
    onAdd(m) {
      this._canvas = L.DomUtil.create('canvas', 'unit-canvas leaflet-zoom-animated');
      m.getPane('unitsPane').appendChild(this._canvas);
      m.on('moveend resize viewreset', this._reset, this);
      m.on('zoomanim', this._animateZoom, this);
      m.on('mousemove', this._hover, this);
      this._reset();
    },

    onRemove(m) {
      L.DomUtil.remove(this._canvas);
      m.off('moveend resize viewreset', this._reset, this);
      m.off('zoomanim', this._animateZoom, this);
      m.off('mousemove', this._hover, this);
    },

    /** Put the canvas over the view and draw. */
    _reset() {
      const m = this._map;
      const size = m.getSize();
      const dpr = window.devicePixelRatio || 1;
      L.DomUtil.setPosition(this._canvas, m.containerPointToLayerPoint([0, 0]));
      this._bounds = m.getBounds();
      this._canvas.width = Math.round(size.x * dpr);
      this._canvas.height = Math.round(size.y * dpr);
      this._canvas.style.width = size.x + 'px';
      this._canvas.style.height = size.y + 'px';
      this.redraw();
    },

    /** Scale the drawn canvas during the zoom animation (as ImageOverlay does). */
    _animateZoom(e) {
      const m = this._map;
      const scale = m.getZoomScale(e.zoom);
      const offset = m._latLngBoundsToNewLayerBounds(this._bounds, e.zoom, e.center).min;
      L.DomUtil.setTransform(this._canvas, offset, scale);
    },

    redraw() {
      if (!this._map || !U.n) return;
      if (this._frame) return;
      this._frame = L.Util.requestAnimFrame(() => {
        this._frame = null;
        this._draw();
      });
    },

    /** Draw now (used by redraw and by the test hooks through redrawNow). */
    _draw() {
      if (!this._map || !U.n) return;
      const ctx = this._canvas.getContext('2d');
      const dpr = window.devicePixelRatio || 1;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      const size = this._map.getSize();
      ctx.clearRect(0, 0, size.x, size.y);
      collectVisible(this._map, size);
      paintUnits(ctx);
    },

    /** Index of the unit under a container point, or -1. */
    hit(p) {
      const r = U.radius + 4;
      let best = -1;
      let bd = r * r;
      for (let j = 0; j < U.visCount; j++) {
        const dx = U.vx[j] - p.x;
        const dy = U.vy[j] - p.y;
        const d = dx * dx + dy * dy;
        if (d <= bd) { bd = d; best = U.vis[j]; }
      }
      return best;
    },

    _hover(e) {
      if (S.lasso || S.mode) return;
      const over = this.hit(e.containerPoint) >= 0;
      this._map.getContainer().style.cursor = over ? 'pointer' : '';
    },
  });

  let unitLayer = null;

  /** Scale from zoom-0 pixels to the map's current zoom. */
  function zoomScale(m) {
    const crs = m.options.crs;
    return crs.scale(m.getZoom()) / crs.scale(0);
  }

  /** Fill U.vis/vx/vy with the units to draw at the current level and view. */
  function collectVisible(m, size) {
    const lv = S.level;
    const cnt = U.cnt[lv];
    const k = zoomScale(m);
    const o = m.getPixelBounds().min;
    const r = unitRadius(m.getZoom());
    const pad = r + 8;
    const only = S.changesOnly ? S.changed[lv] || new Set() : null;
    U.radius = r;
    U.pos.fill(-1);
    let c = 0;
    for (let i = 0; i < U.n; i++) {
      if (!cnt[i]) continue;
      if (only && !only.has(i)) continue;
      const x = U.x0[i] * k - o.x;
      if (x < -pad || x > size.x + pad) continue;
      const y = U.y0[i] * k - o.y;
      if (y < -pad || y > size.y + pad) continue;
      U.vis[c] = i; U.vx[c] = x; U.vy[c] = y; U.pos[i] = c;
      c++;
    }
    U.visCount = c;
  }

  /** Paint the visible units: dots by school, then crosses and rings on top. */
  function paintUnits(ctx) {
    const a = A[S.level];
    const r = U.radius;
    const focus = S.focus !== null ? S.schoolIndex.get(S.focus) : null;
    const buckets = new Map();
    for (let j = 0; j < U.visCount; j++) {
      const s = a.school[U.vis[j]];
      if (s === NONE) continue;
      let b = buckets.get(s);
      if (!b) buckets.set(s, (b = []));
      b.push(j);
    }
    for (const [s, list] of buckets) {
      if (s === UNPLACED) continue;
      const dim = focus !== null && focus !== undefined && s !== focus;
      const colour = S.schools[s] ? S.schools[s].colour : '#888';
      dots(ctx, list, r, colour, dim ? 0.16 : 1);
    }
    crosses(ctx, buckets.get(UNPLACED) || [], r, focus !== null && focus !== undefined ? 0.3 : 1);
    // units with unplaced students besides placed ones get the cross too
    const partial = [];
    for (const i of a.reason.keys()) if (a.school[i] !== UNPLACED && U.pos[i] >= 0) partial.push(U.pos[i]);
    crosses(ctx, partial, r, 1);
    ring(ctx, setPositions(S.changed[S.level]), r + 3.2, CHANGED, 2);
    ring(ctx, setPositions(S.pins[S.level]), r + 1.2, INK, 2);
    ring(ctx, setPositions(S.selection), r + 2.6, SELECT, 2.2);
  }

  /** Visible positions (indices into U.vx/vy) of a set or map of unit indices. */
  function setPositions(set) {
    const out = [];
    if (!set) return out;
    for (const i of set.keys()) {
      const j = U.pos[i];
      if (j >= 0) out.push(j);
    }
    return out;
  }

  function dots(ctx, list, r, colour, alpha) {
    ctx.globalAlpha = alpha;
    ctx.beginPath();
    for (const j of list) {
      ctx.moveTo(U.vx[j] + r, U.vy[j]);
      ctx.arc(U.vx[j], U.vy[j], r, 0, 2 * Math.PI);
    }
    ctx.fillStyle = colour;
    ctx.fill();
    if (r >= 3) {
      ctx.lineWidth = 0.8;
      ctx.strokeStyle = 'rgba(255,255,255,0.85)';
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
  }

  /** Unplaced: a dark cross with a white halo. */
  function crosses(ctx, list, r, alpha) {
    if (!list.length) return;
    const d = r + (r < 3 ? 0.5 : 1.5);
    ctx.globalAlpha = alpha;
    ctx.beginPath();
    for (const j of list) {
      const x = U.vx[j];
      const y = U.vy[j];
      ctx.moveTo(x - d, y - d); ctx.lineTo(x + d, y + d);
      ctx.moveTo(x - d, y + d); ctx.lineTo(x + d, y - d);
    }
    ctx.lineCap = 'round';
    ctx.strokeStyle = '#ffffff';
    ctx.lineWidth = r < 3 ? 3 : 4;
    ctx.stroke();
    ctx.strokeStyle = '#111111';
    ctx.lineWidth = r < 3 ? 1.4 : 2;
    ctx.stroke();
    ctx.globalAlpha = 1;
  }

  function ring(ctx, list, r, colour, width) {
    if (!list.length) return;
    ctx.beginPath();
    for (const j of list) {
      ctx.moveTo(U.vx[j] + r, U.vy[j]);
      ctx.arc(U.vx[j], U.vy[j], r, 0, 2 * Math.PI);
    }
    ctx.strokeStyle = colour;
    ctx.lineWidth = width;
    ctx.stroke();
  }

  /** Load /api/units into the typed arrays. */
  function setUnits(list) {
    const n = list.length;
    U.n = n;
    U.ids = new Array(n);
    U.town = new Array(n);
    U.village = new Array(n);
    U.lon = new Float64Array(n);
    U.lat = new Float64Array(n);
    U.x0 = new Float64Array(n);
    U.y0 = new Float64Array(n);
    U.vis = new Int32Array(n);
    U.vx = new Float32Array(n);
    U.vy = new Float32Array(n);
    U.pos = new Int32Array(n);
    for (const lv of S.levels) U.cnt[lv] = new Uint32Array(n);
    const crs = L.CRS.EPSG3857;
    U.index.clear();
    list.forEach((u, i) => {
      U.ids[i] = u.unit_id;
      U.index.set(u.unit_id, i);
      U.town[i] = u.town || '';
      U.village[i] = u.village || '';
      U.lon[i] = u.lon;
      U.lat[i] = u.lat;
      const p = crs.latLngToPoint(L.latLng(u.lat, u.lon), 0);
      U.x0[i] = p.x;
      U.y0[i] = p.y;
      for (const lv of S.levels) U.cnt[lv][i] = u[lv] || 0;
    });
    for (const lv of S.levels) {
      A[lv] = {
        school: new Int32Array(n).fill(NONE),
        travel: new Float64Array(n).fill(NaN),
        rows: new Map(), // unit index -> rows, only for units split over several rows
        reason: new Map(), // unit index -> reason of its unplaced students
      };
    }
  }

  /** Set a unit's rows at a level (from /api/assignment or a step's `changed`). */
  function setRows(lv, i, rows) {
    const a = A[lv];
    if (!a) return;
    a.rows.delete(i);
    a.reason.delete(i);
    if (!rows || !rows.length) { a.school[i] = NONE; a.travel[i] = NaN; return; }
    if (rows.length > 1) a.rows.set(i, rows);
    let main = null;
    for (const r of rows) {
      if (!r.school_id) { a.reason.set(i, r.reason || ''); continue; }
      if (!main || r.students > main.students) main = r;
    }
    a.school[i] = main ? schoolIdx(main.school_id) : UNPLACED;
    a.travel[i] = main && main.travel_m !== null && main.travel_m !== undefined ? main.travel_m : NaN;
  }

  /** The rows of a unit at a level, as the server gave them. */
  function unitRows(lv, i) {
    const a = A[lv];
    if (a.rows.has(i)) return a.rows.get(i);
    const s = a.school[i];
    if (s === NONE) return [];
    if (s === UNPLACED) return [{ school_id: '', students: U.cnt[lv][i], travel_m: null, reason: a.reason.get(i) || '' }];
    return [{ school_id: S.schools[s].school_id, students: U.cnt[lv][i], travel_m: a.travel[i], reason: '' }];
  }

  /** Load /api/assignment: rows grouped per unit and level. */
  function setAssignment(rows) {
    const seen = {};
    const first = {};
    const multi = new Map();
    for (const lv of S.levels) { seen[lv] = new Uint8Array(U.n); first[lv] = new Array(U.n); }
    for (const r of rows) {
      const i = U.index.get(r.unit_id);
      if (i === undefined || !A[r.level]) continue;
      if (!seen[r.level][i]) { seen[r.level][i] = 1; first[r.level][i] = r; continue; }
      const key = r.level + '\u0000' + i;
      if (!multi.has(key)) multi.set(key, [first[r.level][i]]);
      multi.get(key).push(r);
    }
    for (const lv of S.levels) {
      const f = first[lv];
      for (let i = 0; i < U.n; i++) if (f[i]) setRows(lv, i, [f[i]]);
    }
    for (const [key, list] of multi) {
      const [lv, i] = key.split('\u0000');
      setRows(lv, Number(i), list);
    }
  }

  // ---------------------------------------------------------------------------
  // Schools: index, colours, map layer
  // ---------------------------------------------------------------------------

  function schoolIdx(id) {
    let i = S.schoolIndex.get(id);
    if (i === undefined) {
      // a school named by the assignment but not (yet) in school_points
      i = S.schools.length;
      S.schools.push({ school_id: id, name: id, level: '', sector: 'public', takes: [], lon: NaN, lat: NaN,
        colour: PALETTE[i % PALETTE.length], closed: true });
      S.schoolIndex.set(id, i);
    }
    return i;
  }

  /** Merge /api/school_points: keep indices and colours, mark missing schools closed. */
  function setSchools(list) {
    const present = new Set();
    for (const p of list) {
      const i = schoolIdx(p.school_id);
      Object.assign(S.schools[i], p, { closed: false, takes: p.takes || [] });
      present.add(p.school_id);
    }
    for (const s of S.schools) if (!present.has(s.school_id)) s.closed = true;
  }

  /** Schools that take a catchment at a level (public, open). */
  function schoolsTaking(lv) {
    return S.schools.filter((s) => !s.closed && s.sector !== 'private' && (s.takes || []).includes(lv));
  }

  /** Does a school teach a level (private schools included)? */
  function teaches(s, lv) {
    if ((s.takes || []).includes(lv)) return true;
    return s.sector === 'private' && (s.level === lv || s.level === 'nine_year');
  }

  /** Per-school numbers of the current level: the table (studio) or /api/schools (public). */
  function schoolRow(id) {
    const t = S.tables[S.level];
    if (t) return t.schools.find((r) => r.school_id === id) || null;
    if (S.schoolsCsv) return S.schoolsCsv.find((r) => r.school_id === id && r.level === S.level) || null;
    return null;
  }

  function drawSchools() {
    if (layers.schools) layers.schools.remove();
    const g = L.layerGroup();
    for (const s of S.schools) {
      if (s.closed || !teaches(s, S.level) || !Number.isFinite(s.lat)) continue;
      g.addLayer(schoolMarker(s));
    }
    layers.schools = g.addTo(map);
    updateLabelVisibility();
    declutterLabels();
  }

  function schoolMarker(s) {
    const row = schoolRow(s.school_id);
    const seats = row ? row.seats : 0;
    const priv = s.sector === 'private';
    const r = priv ? 5 : 4 + 0.5 * Math.sqrt(Math.max(seats || 0, 0));
    const util = row ? (row.utilization !== undefined ? row.utilization : row.seats ? row.assigned / row.seats : null) : null;
    const fill = priv ? '#ffffff' : S.public ? s.colour : utilColour(util);
    const m = L.circleMarker([s.lat, s.lon], {
      renderer: R.schoolsPane,
      radius: r,
      color: priv ? '#6c757d' : S.public ? INK : s.colour,
      weight: priv ? 1.5 : 3,
      dashArray: priv ? '3 2' : null,
      fillColor: fill,
      fillOpacity: 0.95,
      bubblingMouseEvents: false,
    });
    const focused = S.focus === s.school_id;
    const label = priv && !/民办/.test(s.name) ? `${s.name} (民办 private)` : s.name;
    m.bindTooltip(label, {
      permanent: true, direction: 'right', offset: [r + 1, 0],
      className: 'school-label' + (focused ? ' focus' : ''),
    });
    m.on('click', () => (S.public ? locateAt(s.lon, s.lat) : focusSchool(s.school_id)));
    return m;
  }

  function updateLabelVisibility() {
    const show = $('#opt-labels').checked;
    map.getContainer().classList.toggle('hide-labels', !show);
  }

  /**
   * Hide school names that would overlap a more important one (the
   * highlighted school first, then by seats): the county town's schools
   * stand close together.
   */
  function declutterLabels() {
    if (!layers.schools) return;
    const items = [];
    layers.schools.eachLayer((m) => {
      const t = m.getTooltip();
      const e = t && t.getElement();
      if (!e) return;
      e.classList.remove('crowded');
      const focus = e.classList.contains('focus') ? 1 : 0;
      items.push({ e, rank: focus * 1e9 + m.getRadius() });
    });
    items.sort((a, b) => b.rank - a.rank);
    const kept = [];
    for (const it of items) {
      const r = it.e.getBoundingClientRect();
      const hit = kept.some((k) => r.left < k.right + 2 && r.right > k.left - 2 && r.top < k.bottom && r.bottom > k.top);
      if (hit) it.e.classList.add('crowded'); else kept.push(r);
    }
  }

  // ---------------------------------------------------------------------------
  // Zones
  // ---------------------------------------------------------------------------

  async function loadZones() {
    S.zones = await api('api/zones');
    S.zonesStale = false;
    $('#zones-stale').hidden = true;
    drawZones();
  }

  function markZonesStale() {
    S.zonesStale = true;
    $('#zones-stale').hidden = false;
  }

  function drawZones() {
    if (layers.zones) layers.zones.remove();
    layers.zones = null;
    if (!S.zones || !S.zones.features) return;
    const feats = S.zones.features.filter((f) => !f.properties || !f.properties.level || f.properties.level === S.level);
    layers.zones = L.geoJSON({ type: 'FeatureCollection', features: feats }, {
      renderer: R.zonesPane, interactive: false, style: zoneStyle,
    });
    if ($('#opt-zones').checked) layers.zones.addTo(map);
  }

  function zoneStyle(f) {
    const id = f.properties && f.properties.school_id;
    const i = S.schoolIndex.has(id) ? S.schoolIndex.get(id) : schoolIdx(id);
    const colour = S.schools[i].colour;
    const focus = S.focus !== null && S.focus === id;
    const dim = S.focus !== null && !focus;
    return {
      color: focus ? INK : colour,
      weight: focus ? 3 : 1.2,
      opacity: dim ? 0.4 : 0.9,
      fillColor: colour,
      fillOpacity: focus ? 0.32 : dim ? 0.06 : S.public ? 0.22 : 0.16,
    };
  }

  function restyleZones() {
    if (layers.zones) layers.zones.setStyle(zoneStyle);
  }

  // ---------------------------------------------------------------------------
  // Legend
  // ---------------------------------------------------------------------------

  function swatchSvg(draw, width) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('width', String(width || 18));
    svg.setAttribute('height', '14');
    svg.innerHTML = draw;
    return svg;
  }

  function legendRow(svg, text) {
    return el('div', { class: 'row' }, swatchSvg(svg), el('span', {}, text));
  }

  function renderLegend() {
    const box = $('#legend');
    // open where there is room for it; a click on the title opens or closes it
    const details = el('details', { open: window.innerHeight >= 860 }, el('summary', {}, '图例 Legend'));
    const dot = (c) => `<circle cx="7" cy="7" r="5" fill="${c}" stroke="#333" stroke-width="0.6"/>`;
    const small = (svg, text) => el('span', {}, swatchSvg(svg, 14), text);
    const schools = el('div', { class: 'group' }, el('h3', {}, '学校 Schools'));
    if (S.public) {
      schools.append(legendRow(`<circle cx="9" cy="7" r="5" fill="${PALETTE[0]}" stroke="${INK}" stroke-width="2"/>`, '公办学校 public school (学区同色 zone colour)'));
    } else {
      schools.append(
        el('div', { class: 'row multi' }, '使用率 util.', small(dot(UTIL.ok), '< 85%'), small(dot(UTIL.warn), '85-100%'),
          small(dot(UTIL.bad), '> 100%')),
        el('div', { class: 'row hint' }, '圆大小: 学位 size: seats; 外圈: 学区色 rim: zone colour'));
    }
    schools.append(legendRow('<circle cx="9" cy="7" r="4.5" fill="#fff" stroke="#6c757d" stroke-width="1.5" stroke-dasharray="3 2"/>', '民办 private (不划片 no catchment)'));
    details.append(schools);
    if (!S.public) details.append(unitLegend());
    details.append(el('div', { class: 'group' },
      legendRow('<rect x="1" y="2" width="16" height="10" fill="#4e79a7" fill-opacity="0.25" stroke="#4e79a7"/>', '学区 zone (学校色 school colour)'),
      el('div', { class: 'row multi' },
        small('<line x1="0" y1="7" x2="14" y2="7" stroke="#37424e" stroke-width="2"/>', '县界 boundary'),
        small('<line x1="0" y1="7" x2="14" y2="7" stroke="#9ea5ad" stroke-width="1.5"/>', '道路 roads'))));
    box.replaceChildren(details);
  }

  function unitLegend() {
    return el('div', { class: 'group' }, el('h3', {}, '单元 Units (户/片 households)'),
      legendRow('<circle cx="9" cy="7" r="4" fill="#59a14f"/>', '按所分学校着色 coloured by school'),
      legendRow('<path d="M4 2 L14 12 M4 12 L14 2" stroke="#fff" stroke-width="4"/><path d="M4 2 L14 12 M4 12 L14 2" stroke="#111" stroke-width="2"/>', '未安置 unplaced'),
      legendRow(`<circle cx="9" cy="7" r="4" fill="#59a14f"/><circle cx="9" cy="7" r="5.2" fill="none" stroke="${INK}" stroke-width="2"/>`, '固定 pinned (手动指定 manual)'),
      legendRow(`<circle cx="9" cy="7" r="3" fill="#59a14f"/><circle cx="9" cy="7" r="6" fill="none" stroke="${CHANGED}" stroke-width="2"/>`, '较初始变化 changed since start'),
      legendRow(`<circle cx="9" cy="7" r="2.5" fill="#59a14f"/><circle cx="9" cy="7" r="6" fill="none" stroke="${SELECT}" stroke-width="2.5"/>`, '已选 selected'));
  }

  // ---------------------------------------------------------------------------
  // Side panel: totals, school table, unplaced list
  // ---------------------------------------------------------------------------

  async function loadTable(lv) {
    const t = await api('api/table?level=' + encodeURIComponent(lv));
    const prev = S.tables[lv];
    if (prev) S.prevAssigned[lv] = new Map(prev.schools.map((r) => [r.school_id, r.assigned]));
    S.tables[lv] = t;
    S.optimal[lv] = t.optimal;
    S.pins[lv] = new Map();
    for (const p of t.pins || []) {
      const i = U.index.get(p.unit_id);
      if (i !== undefined) S.pins[lv].set(i, p.school_id);
    }
    S.changed[lv] = new Set();
    for (const id of t.changed || []) {
      const i = U.index.get(id);
      if (i !== undefined) S.changed[lv].add(i);
    }
    if (lv === S.level) renderPanel();
  }

  function renderPanel() {
    renderOptimal();
    renderTotals();
    renderTable();
    renderUnplaced();
    renderFocusChip();
    drawSchools();
    if (unitLayer) unitLayer.redraw();
    S.tableVersion++;
  }

  function renderOptimal() {
    const lv = S.level;
    $('#level-title').textContent = `${LEVEL_ZH[lv] || lv} ${LEVEL_EN[lv] || ''}`;
    const b = $('#optimal-badge');
    const opt = S.optimal[lv];
    b.className = 'badge ' + (opt ? 'ok' : 'warn');
    b.textContent = opt ? '已优化 optimal' : '未优化 not optimised';
    b.title = opt ? '当前方案是该学段的最优解 the plan is the optimum for this level'
      : '手动调整后尚未重新优化 edited by hand since the last optimise';
    const other = S.levels.find((l) => l !== lv);
    const o = $('#optimal-other');
    o.hidden = !other;
    if (other) {
      o.className = 'badge small ' + (S.optimal[other] ? 'ok' : 'warn');
      o.textContent = `${LEVEL_ZH[other] || other}: ${S.optimal[other] ? '已优化' : '未优化'}`;
    }
  }

  function renderTotals() {
    const t = S.tables[S.level];
    const box = $('#totals');
    box.textContent = '';
    if (!t) return;
    const x = t.totals || {};
    const road = S.info.travel === 'road_network';
    const cell = (v, k, cls) => el('div', { class: 't ' + (cls || '') }, el('div', { class: 'v' }, v), el('div', { class: 'k' }, k));
    box.append(
      cell(fmtInt(x.students), '学生 students'),
      cell(fmtInt(x.placed), '已安置 placed'),
      cell(fmtInt(x.unplaced), '未安置 unplaced', x.unplaced ? 'bad' : ''),
      cell(fmtInt(x.seats), '学位 seats'),
      cell(fmtKm(x.mean_travel_m), `平均距离 mean km${road ? ' (道路 road)' : ''}`),
      cell(fmtKm(x.max_travel_m), '最远距离 max km'),
      cell(fmtInt(x.moved), '调整学区 moved vs today'),
      cell(fmtInt(x.changed_students), '较初始变化 changed', x.changed_students ? 'changed' : ''),
    );
  }

  const SORT_VALUE = {
    name: (r) => r.school_id,
    diff: (r) => r.assigned - (r.start_assigned || 0),
  };

  function sortedSchools(t) {
    const { key, dir } = S.sort;
    const get = SORT_VALUE[key] || ((r) => r[key]);
    return t.schools.slice().sort((a, b) => {
      const va = get(a);
      const vb = get(b);
      if (va === vb) return a.school_id < b.school_id ? -1 : 1;
      if (va === null || va === undefined) return 1;
      if (vb === null || vb === undefined) return -1;
      return (va < vb ? -1 : 1) * dir;
    });
  }

  function renderTable() {
    const t = S.tables[S.level];
    const tbody = $('#school-table tbody');
    tbody.textContent = '';
    $$('#school-table th').forEach((th) => {
      th.classList.toggle('sorted', th.dataset.key === S.sort.key);
      th.classList.toggle('asc', th.dataset.key === S.sort.key && S.sort.dir > 0);
      th.classList.toggle('desc', th.dataset.key === S.sort.key && S.sort.dir < 0);
    });
    if (!t) return;
    const prev = S.prevAssigned[S.level];
    for (const r of sortedSchools(t)) tbody.append(tableRow(r, prev));
    S.prevAssigned[S.level] = null;
    renderTableFoot(t);
  }

  function tableRow(r, prev) {
    const s = S.schools[schoolIdx(r.school_id)];
    const diff = r.assigned - (r.start_assigned || 0);
    const util = r.utilization !== null && r.utilization !== undefined ? r.utilization : r.seats ? r.assigned / r.seats : null;
    const tr = el('tr', { 'data-id': r.school_id, title: `${r.school_id} ${r.name}` },
      el('td', { class: 'left' }, el('div', { class: 'school-cell' },
        el('span', { class: 'swatch', style: `background:${s.colour}` }),
        el('span', { class: 'name' }, r.name))),
      el('td', {}, fmtInt(r.seats)),
      el('td', { class: 'assigned' }, fmtInt(r.assigned)),
      el('td', {}, utilCell(util)),
      el('td', {}, fmtKm(r.mean_travel_m)),
      el('td', {}, fmtKm(r.max_travel_m)),
      el('td', { class: r.moved_in ? '' : 'muted' }, fmtInt(r.moved_in)),
      el('td', { class: diff > 0 ? 'pos' : diff < 0 ? 'neg' : 'muted' }, signed(diff)));
    if (S.focus === r.school_id) tr.classList.add('focus');
    if (prev && prev.has(r.school_id) && prev.get(r.school_id) !== r.assigned) tr.classList.add('flash');
    return tr;
  }

  function utilCell(u) {
    const w = u === null ? 0 : Math.min(u, 1.25) / 1.25 * 100;
    return el('div', { class: 'util' },
      el('span', { class: 'bar' }, el('i', { style: `width:${w.toFixed(1)}%;background:${utilColour(u)}` })),
      el('span', { class: 'pct' }, fmtPct(u)));
  }

  function renderTableFoot(t) {
    const x = t.totals || {};
    const tfoot = $('#school-table tfoot');
    tfoot.textContent = '';
    const util = x.seats ? x.placed / x.seats : null;
    tfoot.append(el('tr', {},
      el('td', { class: 'left' }, '合计 Total'),
      el('td', {}, fmtInt(x.seats)),
      el('td', {}, fmtInt(x.placed)),
      el('td', {}, utilCell(util)),
      el('td', {}, fmtKm(x.mean_travel_m)),
      el('td', {}, fmtKm(x.max_travel_m)),
      el('td', {}, fmtInt(x.moved)),
      el('td', {}, fmtInt(x.changed_students))));
  }

  function onTableHeadClick(e) {
    const th = e.target.closest('th');
    if (!th || !th.dataset.key) return;
    const key = th.dataset.key;
    S.sort = { key, dir: S.sort.key === key ? -S.sort.dir : key === 'name' ? 1 : -1 };
    renderTable();
  }

  function onTableBodyClick(e) {
    const tr = e.target.closest('tr[data-id]');
    if (tr) focusSchool(tr.dataset.id);
  }

  function onTableBodyDblClick(e) {
    const tr = e.target.closest('tr[data-id]');
    if (!tr) return;
    const s = S.schools[schoolIdx(tr.dataset.id)];
    if (Number.isFinite(s.lat)) map.setView([s.lat, s.lon], Math.max(map.getZoom(), 13));
  }

  function renderUnplaced() {
    const t = S.tables[S.level];
    const box = $('#unplaced-list');
    box.textContent = '';
    const list = (t && t.unplaced) || [];
    const students = list.reduce((n, u) => n + (u.students || 0), 0);
    $('#unplaced-count').textContent = `${fmtInt(students)} 名学生 students, ${fmtInt(list.length)} 个单元 units`;
    $('#unplaced-count').className = 'badge' + (students ? ' warn' : ' ok');
    if (!list.length) { box.append(el('div', { class: 'empty' }, '全部安置 every student placed')); return; }
    const groups = new Map();
    for (const u of list) {
      if (!groups.has(u.reason)) groups.set(u.reason, []);
      groups.get(u.reason).push(u);
    }
    for (const [reason, items] of groups) box.append(unplacedGroup(reason, items));
  }

  function unplacedGroup(reason, items) {
    const n = items.reduce((a, u) => a + (u.students || 0), 0);
    const shown = items.slice(0, 200);
    return el('div', { class: 'group' },
      el('div', { class: 'group-head' }, `${REASON[reason] || reason || '-'}: ${fmtInt(n)}`),
      el('div', { class: 'items' },
        shown.map((u) => el('button', {
          class: 'item', title: '在地图上查看 show on the map',
          onclick: () => selectUnit(u.unit_id),
        }, `${u.unit_id} (${u.students})`)),
        items.length > shown.length ? el('span', { class: 'hint' }, `还有 ${items.length - shown.length} 个 more`) : null));
  }

  // ---------------------------------------------------------------------------
  // Focus on a school (table row or marker)
  // ---------------------------------------------------------------------------

  function focusSchool(id) {
    S.focus = S.focus === id ? null : id;
    restyleZones();
    drawSchools();
    if (unitLayer) unitLayer.redraw();
    $$('#school-table tbody tr').forEach((tr) => tr.classList.toggle('focus', tr.dataset.id === S.focus));
    renderFocusChip();
  }

  function renderFocusChip() {
    const chip = $('#focus-chip');
    chip.textContent = '';
    chip.hidden = S.focus === null;
    if (S.focus === null) return;
    const s = S.schools[schoolIdx(S.focus)];
    chip.append(el('span', { class: 'swatch', style: `background:${s.colour}` }),
      el('span', {}, `突出显示 highlighted: ${s.school_id} ${s.name}`),
      el('button', { class: 'x', title: '取消 Clear (Esc)', onclick: () => focusSchool(S.focus) }, '×'));
  }

  // ---------------------------------------------------------------------------
  // Unit popup: details and moves
  // ---------------------------------------------------------------------------

  let popup = null;

  function openUnitPopup(i) {
    S.popupUnit = i;
    if (!popup) {
      popup = L.popup({ maxWidth: 440, minWidth: 330, autoPanPaddingTopLeft: [20, 60], autoPanPaddingBottomRight: [20, 20] });
      popup.on('remove', () => { S.popupUnit = -1; });
    }
    popup.setLatLng([U.lat[i], U.lon[i]]).setContent(buildPopup(i));
    if (!map.hasLayer(popup)) popup.openOn(map);
  }

  function refreshPopup() {
    if (S.popupUnit >= 0 && popup && map.hasLayer(popup)) popup.setContent(buildPopup(S.popupUnit));
  }

  function schoolLabel(s) {
    return `${s.school_id} ${s.name}`;
  }

  function buildPopup(i) {
    const lv = S.level;
    const rows = unitRows(lv, i);
    const pinned = S.pins[lv] && S.pins[lv].has(i);
    const changed = S.changed[lv] && S.changed[lv].has(i);
    const levels = S.levels.map((l) => (l === lv ? el('b', {}, `${LEVEL_ZH[l]} ${U.cnt[l][i]}`) : `${LEVEL_ZH[l]} ${U.cnt[l][i]}`));
    const box = el('div', { class: 'unit-popup', 'data-unit': U.ids[i] },
      el('h3', {}, `单元 Unit ${U.ids[i]}`,
        pinned ? el('span', { class: 'tag pin' }, '固定 pinned') : null,
        changed ? el('span', { class: 'tag changed' }, '已变化 changed') : null),
      el('dl', {},
        el('dt', {}, '乡镇/村 Town/village'), el('dd', {}, [U.town[i], U.village[i]].filter(Boolean).join(' ') || '-'),
        el('dt', {}, '学生 Students'), el('dd', {}, joinNodes(levels, ' / ')),
        el('dt', {}, `学校 School (${LEVEL_ZH[lv]})`), el('dd', { class: 'current-school' }, rowsText(rows)),
        el('dt', {}, '固定 Pinned'), el('dd', {}, pinned ? `是 yes (${S.pins[lv].get(i)}) ` : '否 no ', unpinButton(i, pinned))));
    box.append(popupActions(i, rows));
    return box;
  }

  function joinNodes(list, sep) {
    const out = [];
    list.forEach((x, k) => { if (k) out.push(sep); out.push(x); });
    return out;
  }

  /** "P01 name, 1.23 km" per row; unplaced rows with their reason. */
  function rowsText(rows) {
    if (!rows.length) return el('span', { class: 'muted' }, '本学段无学生 no students at this level');
    return joinNodes(rows.map((r) => {
      if (!r.school_id) return el('span', { class: 'tag bad' }, `未安置 unplaced: ${REASON[r.reason] || r.reason || '-'}${rows.length > 1 ? ` (${r.students})` : ''}`);
      const s = S.schools[schoolIdx(r.school_id)];
      const n = rows.length > 1 ? ` (${r.students})` : '';
      return el('span', {}, el('span', { class: 'swatch', style: `display:inline-block;vertical-align:-1px;margin-right:4px;background:${s.colour}` }),
        `${schoolLabel(s)}${n}, ${fmtKm(r.travel_m)} km`);
    }), el('br'));
  }

  function unpinButton(i, pinned) {
    if (!pinned) return null;
    const b = el('button', { class: 'btn small popup-unpin', title: '解除后，下次优化可重新分配 free at the next optimise' }, '解除固定 Unpin');
    b.addEventListener('click', () => unpinUnit(i));
    return b;
  }

  function popupActions(i, rows) {
    const lv = S.level;
    const has = U.cnt[lv][i] > 0;
    const current = rows.find((r) => r.school_id);
    const sel = schoolSelect(lv, current ? current.school_id : null, true);
    sel.setAttribute('aria-label', '目标学校 Target school');
    sel.className = 'popup-school';
    const village = villageUnits(i);
    const moveBtn = el('button', { class: 'btn primary small popup-move', disabled: !has },
      '移至 Move');
    moveBtn.addEventListener('click', () => moveUnit(i, sel.value));
    const villageBtn = el('button', {
      class: 'btn small popup-village', disabled: !has || village.length < 1 || !U.village[i],
      title: `${U.town[i]} ${U.village[i]}: ${village.length} 个单元 units`,
    }, `整村移至 Move whole village (${village.length})`);
    villageBtn.addEventListener('click', () => assignMany(village, sel.value, `${U.town[i]} ${U.village[i]}`));
    return el('div', {}, sel, el('div', { class: 'actions' }, moveBtn, villageBtn));
  }

  /** A <select> of the schools taking a level, the preferred one first chosen. */
  function schoolSelect(lv, preferOther, otherFirst) {
    const t = S.tables[lv];
    const sel = el('select', {});
    const list = schoolsTaking(lv);
    for (const s of list) {
      const r = t && t.schools.find((x) => x.school_id === s.school_id);
      const load = r ? `  ${fmtInt(r.assigned)}/${fmtInt(r.seats)}` : '';
      sel.append(el('option', { value: s.school_id }, `${schoolLabel(s)}${load}`));
    }
    if (preferOther && otherFirst) {
      // default to the nearest other school, the likeliest target of a move
      const i0 = S.schoolIndex.get(preferOther);
      const from = S.schools[i0];
      const others = list.filter((s) => s.school_id !== preferOther);
      if (others.length && from && Number.isFinite(from.lat)) {
        others.sort((a, b) => dist2(a, from) - dist2(b, from));
        sel.value = others[0].school_id;
      }
    }
    return sel;
  }

  const dist2 = (a, b) => (a.lon - b.lon) ** 2 + (a.lat - b.lat) ** 2;

  /** Units with students at the level in the same town and village as unit i. */
  function villageUnits(i) {
    const lv = S.level;
    const out = [];
    if (!U.village[i]) return out;
    const town = U.town[i];
    const village = U.village[i];
    for (let k = 0; k < U.n; k++) {
      if (U.cnt[lv][k] && U.village[k] === village && U.town[k] === town) out.push(k);
    }
    return out;
  }

  async function moveUnit(i, schoolId) {
    const r = await runStep('api/assign', { unit_id: U.ids[i], level: S.level, school_id: schoolId });
    if (r) showMessage(`${U.ids[i]} (${U.cnt[S.level][i]} 名学生 students) 已移至 moved to ${schoolLabel(S.schools[schoolIdx(schoolId)])}`, 'ok');
  }

  async function unpinUnit(i) {
    const r = await runStep('api/unpin', { unit_id: U.ids[i], level: S.level });
    if (r) showMessage(`${U.ids[i]} 已解除固定 unpinned (下次优化时可调整 free at the next optimise)`, 'ok');
  }

  /**
   * Move many units as one step. Should the server refuse the body as too
   * large (413), the move is sent again in pieces, one step each.
   */
  async function assignMany(indices, schoolId, what) {
    const ids = indices.map((i) => U.ids[i]);
    const body = (list) => ({ unit_ids: list, level: S.level, school_id: schoolId });
    let tooLarge = false;
    let r = await runStep('api/assign_many', body(ids), { onError: (e) => (tooLarge = e.status === 413) });
    if (tooLarge) {
      const chunks = chunkIds(ids);
      showMessage(`单元较多，分 ${chunks.length} 步提交 many units: sent as ${chunks.length} steps`, 'info');
      for (const part of chunks) {
        r = await runStep('api/assign_many', body(part));
        if (!r) return false;
      }
    }
    if (!r) return false;
    const s = S.schools[schoolIdx(schoolId)];
    showMessage(`${what ? what + ': ' : ''}${fmtInt(ids.length)} 个单元移至 units to ${schoolLabel(s)} (${r.did || ''})`, 'ok');
    return true;
  }

  function chunkIds(ids) {
    const chunks = [];
    let cur = [];
    let size = 200;
    for (const id of ids) {
      const b = JSON.stringify(id).length + 1;
      if (cur.length && size + b > CHUNK_BODY) { chunks.push(cur); cur = []; size = 200; }
      cur.push(id);
      size += b;
    }
    if (cur.length) chunks.push(cur);
    return chunks;
  }

  // ---------------------------------------------------------------------------
  // Selection: shift+drag box, lasso, selection bar
  // ---------------------------------------------------------------------------

  let drawing = null; // {kind: 'box'|'lasso', pts: [containerPoint], add: bool}

  function installSelection() {
    const c = map.getContainer();
    c.addEventListener('mousedown', onDrawStart, true);
    window.addEventListener('mousemove', onDrawMove);
    window.addEventListener('mouseup', onDrawEnd);
  }

  function onDrawStart(e) {
    if (S.public || e.button !== 0 || S.mode) return;
    if (e.target.closest('.leaflet-popup, .leaflet-control')) return;
    const kind = e.shiftKey ? 'box' : S.lasso ? 'lasso' : null;
    if (!kind) return;
    e.preventDefault();
    e.stopPropagation();
    drawing = { kind, pts: [map.mouseEventToContainerPoint(e)], add: e.ctrlKey || e.metaKey };
    if (!drawing.add) S.selectionSchoolChosen = false;
  }

  function onDrawMove(e) {
    if (!drawing) return;
    const p = map.mouseEventToContainerPoint(e);
    if (drawing.kind === 'box') drawing.pts[1] = p;
    else {
      const last = drawing.pts[drawing.pts.length - 1];
      if (Math.abs(last.x - p.x) + Math.abs(last.y - p.y) >= 3) drawing.pts.push(p);
    }
    $('#draw-path').setAttribute('d', drawPathD(drawing));
  }

  function onDrawEnd() {
    if (!drawing) return;
    const d = drawing;
    drawing = null;
    $('#draw-path').setAttribute('d', '');
    const poly = d.kind === 'box' ? boxCorners(d.pts) : d.pts;
    if (!poly || poly.length < 3 || polyExtent(poly) < 4) return;
    S.suppressClick = true;
    setTimeout(() => { S.suppressClick = false; }, 0);
    selectInPolygon(poly, d.add);
  }

  function boxCorners(pts) {
    if (pts.length < 2) return null;
    const [a, b] = pts;
    return [a, L.point(b.x, a.y), b, L.point(a.x, b.y)];
  }

  function polyExtent(poly) {
    const xs = poly.map((p) => p.x);
    const ys = poly.map((p) => p.y);
    return Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
  }

  function drawPathD(d) {
    const pts = d.kind === 'box' ? boxCorners(d.pts) : d.pts;
    if (!pts || pts.length < 2) return '';
    return 'M' + pts.map((p) => `${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' L') + ' Z';
  }

  /** Select the units (with students at the level) inside a polygon of container points. */
  function selectInPolygon(poly, add) {
    const k = zoomScale(map);
    const o = map.getPixelBounds().min;
    const P = poly.map((p) => [(p.x + o.x) / k, (p.y + o.y) / k]); // zoom-0 pixels
    const xs = P.map((p) => p[0]);
    const ys = P.map((p) => p[1]);
    const [x1, x2, y1, y2] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const cnt = U.cnt[S.level];
    const only = S.changesOnly ? S.changed[S.level] || new Set() : null;
    if (!add) S.selection.clear();
    for (let i = 0; i < U.n; i++) {
      if (!cnt[i] || (only && !only.has(i))) continue;
      const x = U.x0[i];
      const y = U.y0[i];
      if (x < x1 || x > x2 || y < y1 || y > y2) continue;
      if (pointInPolygon(x, y, P)) S.selection.add(i);
    }
    selectionChanged();
  }

  /** Even-odd ray casting. */
  function pointInPolygon(x, y, P) {
    let inside = false;
    for (let a = 0, b = P.length - 1; a < P.length; b = a++) {
      const [xa, ya] = P[a];
      const [xb, yb] = P[b];
      if ((ya > y) !== (yb > y) && x < ((xb - xa) * (y - ya)) / (yb - ya) + xa) inside = !inside;
    }
    return inside;
  }

  function selectionChanged() {
    const bar = $('#selection-bar');
    const n = S.selection.size;
    bar.hidden = n === 0;
    if (unitLayer) unitLayer.redraw();
    if (!n) return;
    let students = 0;
    for (const i of S.selection) students += U.cnt[S.level][i];
    const c = $('#sel-count');
    c.textContent = '';
    c.append('已选 ', el('b', {}, fmtInt(n)), ' 个单元 units, ', el('b', {}, fmtInt(students)), ' 名学生 students');
    const target = $('#sel-school');
    const old = target.value;
    const keep = S.selectionSchoolChosen && schoolsTaking(S.level).some((s) => s.school_id === old);
    target.replaceChildren(...Array.from(schoolSelect(S.level, null, false).options));
    target.value = keep ? old : selectionDefault();
  }

  /** The likeliest target of a selection: the school nearest its middle that most of it is not at. */
  function selectionDefault() {
    const a = A[S.level];
    const votes = new Map();
    let lon = 0;
    let lat = 0;
    for (const i of S.selection) {
      votes.set(a.school[i], (votes.get(a.school[i]) || 0) + U.cnt[S.level][i]);
      lon += U.lon[i];
      lat += U.lat[i];
    }
    const mid = { lon: lon / S.selection.size, lat: lat / S.selection.size };
    const major = [...votes.entries()].sort((x, y) => y[1] - x[1])[0][0];
    const majorId = major >= 0 ? S.schools[major].school_id : null;
    const list = schoolsTaking(S.level).filter((s) => s.school_id !== majorId && Number.isFinite(s.lat));
    list.sort((x, y) => dist2(x, mid) - dist2(y, mid));
    return list.length ? list[0].school_id : '';
  }

  function clearSelection() {
    S.selection.clear();
    S.selectionSchoolChosen = false;
    selectionChanged();
  }

  async function moveSelection() {
    const ids = Array.from(S.selection);
    if (!ids.length) return;
    const ok = await assignMany(ids, $('#sel-school').value, '');
    if (ok) clearSelection();
  }

  function setLasso(on) {
    S.lasso = on;
    $('#btn-lasso').setAttribute('aria-pressed', String(on));
    if (on) map.dragging.disable(); else map.dragging.enable();
    map.getContainer().classList.toggle('lassoing', on);
    modeHint(on ? '套索：按住左键圈出单元，Ctrl 追加 Lasso: hold the left button and draw round units (Ctrl adds). Esc 退出 exits' : null);
  }

  function modeHint(text) {
    const h = $('#mode-hint');
    h.hidden = !text;
    h.textContent = text || '';
  }

  // ---------------------------------------------------------------------------
  // Steps: every change goes through runStep
  // ---------------------------------------------------------------------------

  function setBusy(on) {
    S.busy = on;
    $('#busy').hidden = !on;
    updateToolbar();
  }

  function updateToolbar() {
    const h = S.history || {};
    $('#step-no').textContent = h.step !== undefined ? h.step : '-';
    $('#last-ms').textContent = S.lastMs === null ? '-' : String(S.lastMs);
    $('#btn-undo').disabled = S.busy || !h.undo;
    $('#btn-redo').disabled = S.busy || !h.redo;
    for (const id of ['#btn-optimize', '#btn-save', '#sel-move']) $(id).disabled = S.busy;
    $$('.edit-form button[type=submit]').forEach((b) => { b.disabled = S.busy; });
    if (S.busy) $$('.unit-popup button').forEach((b) => { b.disabled = true; }); // rebuilt after the step
  }

  /**
   * POST a step, then bring the page up to date: changed units, the table,
   * and (after optimise, edit, undo, redo, or with "redraw zones") the zones.
   */
  async function runStep(path, body, opts) {
    if (S.busy) { showMessage('请稍候，上一步尚未完成 please wait: the last step is still running', 'info'); return null; }
    opts = opts || {};
    setBusy(true);
    const t0 = performance.now();
    try {
      const r = await api(path, body || {});
      S.lastMs = Math.round(performance.now() - t0);
      await applyStep(r, opts);
      return r;
    } catch (e) {
      if (!(opts.onError && opts.onError(e))) showError(e);
      return null;
    } finally {
      setBusy(false);
      refreshPopup();
    }
  }

  async function applyStep(r, opts) {
    S.lastStep = r;
    if (r.history) S.history = r.history;
    if (r.optimal) Object.assign(S.optimal, r.optimal);
    for (const c of r.changed || []) {
      const i = U.index.get(c.unit_id);
      if (i !== undefined) setRows(c.level, i, c.rows);
    }
    if (unitLayer) unitLayer.redraw();
    const other = S.levels.filter((l) => l !== S.level);
    for (const l of other) delete S.tables[l]; // refetched when shown
    const jobs = [];
    if (opts.schools) jobs.push(api('api/school_points').then(setSchools));
    // an edit answers with no changed rows: read every row again
    if (opts.assignment) jobs.push(api('api/assignment').then(reloadAssignment));
    const zones = opts.zones || S.redrawZones;
    await Promise.all(jobs);
    await Promise.all([loadTable(S.level), zones ? loadZones() : Promise.resolve(markZonesStale())]);
    if (opts.schools) { renderEditSelects(); drawSchools(); }
    if (S.selection.size) selectionChanged();
    if (opts.assignment && unitLayer) unitLayer.redraw();
    updateToolbar();
    setStatusNote(`${r.did || ''} (${fmtInt((r.changed || []).length)} 个单元变化 units changed)`);
  }

  function setStatusNote(text) {
    $('#step-no').parentElement.title = text;
  }

  /** Forget every unit's rows and take the server's (after an edit). */
  function reloadAssignment(rows) {
    for (const lv of S.levels) {
      const a = A[lv];
      a.school.fill(NONE);
      a.travel.fill(NaN);
      a.rows.clear();
      a.reason.clear();
    }
    setAssignment(rows);
  }

  const optimise = () => runStep('api/optimize', {}, { zones: true }).then((r) => {
    if (r) showMessage(`优化完成 ${r.did || 'optimised'}, ${S.lastMs} ms`, 'ok');
  });
  const undo = () => { if (S.history.undo && !S.busy) runStep('api/undo', {}, { zones: true, schools: true }); };
  const redo = () => { if (S.history.redo && !S.busy) runStep('api/redo', {}, { zones: true, schools: true }); };

  async function save() {
    if (S.busy) return;
    setBusy(true);
    const t0 = performance.now();
    try {
      const r = await api('api/save', {});
      S.lastMs = Math.round(performance.now() - t0);
      S.lastSave = r;
      renderSave(r);
      showMessage(`已保存 saved: ${saveFolder(r) || ''}`, 'ok');
    } catch (e) {
      showError(e);
    } finally {
      setBusy(false);
    }
  }

  function saveFolder(r) {
    if (!r || typeof r !== 'object') return '';
    return r.out || r.dir || r.folder || r.path || '';
  }

  function saveFiles(r) {
    const f = r && (r.files || r.wrote || r.written);
    if (!Array.isArray(f)) return [];
    return f.map((x) => (typeof x === 'string' ? x : x.path || x.name || JSON.stringify(x)));
  }

  function renderSave(r) {
    const box = $('#save-result');
    box.textContent = '';
    $('#save-card').hidden = false;
    const folder = saveFolder(r);
    const files = saveFiles(r);
    box.append(el('div', {}, '文件夹 Folder: ', el('span', { class: 'path' }, folder || '-')));
    if (files.length) box.append(el('ul', { class: 'save-files' }, files.map((f) => el('li', { class: 'path' }, f))));
    else box.append(el('pre', { class: 'path' }, JSON.stringify(r, null, 1)));
    box.append(el('div', { class: 'hint' }, `步骤 step ${S.history.step}, ${new Date().toLocaleTimeString('zh-CN', { hour12: false })}`));
  }

  // ---------------------------------------------------------------------------
  // School edit dialog: close, classes, open
  // ---------------------------------------------------------------------------

  function toggleEdit(on) {
    const d = $('#edit-dialog');
    d.hidden = on === undefined ? !d.hidden : !on;
    $('#btn-edit').setAttribute('aria-pressed', String(!d.hidden));
    if (!d.hidden) renderEditSelects();
    if (d.hidden) stopPick();
  }

  function showTab(name) {
    $$('#edit-dialog .tabs button').forEach((b) => b.classList.toggle('on', b.dataset.tab === name));
    $$('#edit-dialog .edit-form').forEach((f) => { f.hidden = f.dataset.tab !== name; });
    if (name !== 'open') stopPick();
  }

  function renderEditSelects() {
    const open = S.schools.filter((s) => !s.closed && s.sector !== 'private' && (s.takes || []).length);
    for (const form of ['#edit-form-close', '#edit-form-classes']) {
      const sel = $(`${form} select[name=school]`);
      const old = sel.value;
      sel.replaceChildren(...open.map((s) => el('option', { value: s.school_id }, `${schoolLabel(s)} (${LEVEL_KIND[s.level] || s.level})`)));
      if (open.some((s) => s.school_id === old)) sel.value = old;
    }
    onClassesSchoolChange();
  }

  function onClassesSchoolChange() {
    const f = $('#edit-form-classes');
    const s = S.schools[S.schoolIndex.get(f.school.value)];
    $('.nine-only', f).hidden = !(s && s.level === 'nine_year');
  }

  function onOpenLevelChange() {
    const f = $('#edit-form-open');
    const nine = f.level.value === 'nine_year';
    $$('.nine-only', f).forEach((x) => { x.hidden = !nine; });
    $('.not-nine', f).hidden = nine;
    f.classes.required = !nine;
  }

  function editFromForm(form) {
    const f = form.elements;
    if (form.id === 'edit-form-close') return { close: f.school.value };
    if (form.id === 'edit-form-classes') {
      const s = S.schools[S.schoolIndex.get(f.school.value)];
      const e = { school: f.school.value, [f.mode.value]: parseInt(f.n.value, 10) };
      if (s && s.level === 'nine_year') e.level = f.level.value;
      return e;
    }
    const e = {
      open: f.id.value.trim(), name: f.name.value.trim(), level: f.level.value,
      lon: Number(f.lon.value), lat: Number(f.lat.value),
    };
    e.entry_classes = e.level === 'nine_year'
      ? { primary: parseInt(f.classes_p.value, 10) || 0, junior: parseInt(f.classes_j.value, 10) || 0 }
      : parseInt(f.classes.value, 10);
    return e;
  }

  async function submitEdit(ev) {
    ev.preventDefault();
    const edit = editFromForm(ev.target);
    const r = await runStep('api/edit', { edit }, { zones: true, schools: true, assignment: true });
    if (!r) return;
    // an edit changes the schools, not yet the plan: Optimise re-solves with it
    showMessage(`${DID.edit}: ${describeEdit(edit)}. 请点"优化"按新的学校重新求解 press Optimise to re-solve with it`, 'ok');
    if (edit.open) { ev.target.reset(); onOpenLevelChange(); clearPickMarker(); }
  }

  function describeEdit(e) {
    if (e.close) return `关闭 closed ${e.close}`;
    if (e.open) return `新建 opened ${e.open} ${e.name}`;
    const n = e.add_classes !== undefined ? `增加 added ${e.add_classes}` : `设为 set to ${e.set_classes}`;
    return `${e.school} ${n} 个班 classes`;
  }

  function startPick() {
    S.mode = 'pick';
    if (S.lasso) setLasso(false);
    map.getContainer().classList.add('lassoing');
    modeHint('点击地图选择新学校的位置 Click the map where the new school stands (Esc 取消 cancel)');
  }

  function stopPick() {
    if (S.mode !== 'pick') return;
    S.mode = null;
    map.getContainer().classList.remove('lassoing');
    modeHint(null);
  }

  function pickPoint(ll) {
    const f = $('#edit-form-open');
    f.lon.value = ll.lng.toFixed(6);
    f.lat.value = ll.lat.toFixed(6);
    clearPickMarker();
    layers.pick = L.circleMarker(ll, {
      renderer: R.schoolsPane, radius: 9, color: INK, weight: 2, dashArray: '4 3', fillColor: '#fff', fillOpacity: 0.7,
      interactive: false,
    }).addTo(map);
    stopPick();
  }

  function clearPickMarker() {
    if (layers.pick) layers.pick.remove();
    layers.pick = null;
  }

  // ---------------------------------------------------------------------------
  // Level switch
  // ---------------------------------------------------------------------------

  function renderLevelSwitch() {
    const box = $('#level-switch');
    box.replaceChildren(...S.levels.map((lv) => el('button', {
      type: 'button', 'data-level': lv, class: lv === S.level ? 'on' : '',
      onclick: () => setLevel(lv),
    }, `${LEVEL_ZH[lv] || lv} ${LEVEL_EN[lv] || ''}`)));
  }

  async function setLevel(lv) {
    if (lv === S.level) return;
    S.level = lv;
    renderLevelSwitch();
    S.selection.clear();
    selectionChanged();
    if (popup && map.hasLayer(popup)) map.closePopup(popup);
    drawZones();
    if (S.public) { drawSchools(); return; }
    renderPanel();
    try {
      await loadTable(lv);
    } catch (e) {
      showError(e);
    }
  }

  // ---------------------------------------------------------------------------
  // Public page: "find my school"
  // ---------------------------------------------------------------------------

  async function locateAt(lon, lat) {
    const f = $('#locate-form');
    if (!insideCounty(lon, lat)) {
      showMessage('该点在县界以外，没有学区 the point lies outside the county: no catchment there', 'info');
      return;
    }
    $('#loc-lon').value = Number(lon).toFixed(6);
    $('#loc-lat').value = Number(lat).toFixed(6);
    if (layers.locate) layers.locate.remove();
    layers.locate = L.circleMarker([lat, lon], {
      renderer: R.schoolsPane, radius: 7, color: '#fff', weight: 3, fillColor: '#d6336c', fillOpacity: 1, interactive: false,
    }).addTo(map);
    f.classList.add('busy-form');
    try {
      const r = await api(`api/locate?lon=${encodeURIComponent(lon)}&lat=${encodeURIComponent(lat)}`);
      S.lastLocate = r;
      renderLocate(r);
    } catch (e) {
      showError(e);
    } finally {
      f.classList.remove('busy-form');
    }
  }

  /** Whether a point lies in the county boundary (true when there is none). */
  function insideCounty(lon, lat) {
    const b = S.layers && S.layers.boundary;
    if (!b || !Array.isArray(b.features)) return true;
    const polys = [];
    for (const f of b.features) {
      const g = f.geometry || {};
      if (g.type === 'Polygon') polys.push(g.coordinates);
      else if (g.type === 'MultiPolygon') polys.push(...g.coordinates);
    }
    if (!polys.length) return true;
    // even-odd over every ring: holes count as outside
    let inside = false;
    for (const poly of polys) for (const part of poly) if (pointInPolygon(lon, lat, part)) inside = !inside;
    return inside;
  }

  function renderLocate(r) {
    const box = $('#locate-result');
    box.textContent = '';
    $('#locate-card').hidden = false;
    const list = Array.isArray(r && r.levels) ? r.levels : [];
    if (!list.length) { box.append(el('pre', { class: 'path' }, JSON.stringify(r, null, 1))); return; }
    for (const x of list) box.append(locateLevel(x));
  }

  function locateLevel(x) {
    const lv = x.level;
    const head = el('h3', {}, `${LEVEL_ZH[lv] || lv} ${LEVEL_EN[lv] || ''}`);
    if (!x.school_id) {
      return el('div', { class: 'answer', 'data-level': lv }, head,
        el('div', { class: 'school' }, '无学区 no catchment'), x.note ? el('div', { class: 'hint' }, x.note) : null);
    }
    const s = S.schools[schoolIdx(x.school_id)];
    const dl = el('dl', {},
      el('dt', {}, '距离 Travel'), el('dd', {}, travelText(x)),
      x.point_straight_m !== null && x.point_straight_m !== undefined
        ? [el('dt', {}, '直线距离 Straight line'), el('dd', {}, `${fmtKm(x.point_straight_m)} km`)] : null,
      el('dt', {}, '学位 Seats'), el('dd', {}, `${fmtInt(x.assigned)} / ${fmtInt(x.seats)}${x.full ? ' (已满 full)' : ''}`),
      el('dt', {}, '位置 Where'), el('dd', {}, x.inside_zone === false
        ? '在划片范围外，按最近学区 outside the mapped area: nearest zone' : '在该校学区内 inside this school\'s zone'),
      x.current_school_id ? [el('dt', {}, '现学区 Today'), el('dd', {}, x.moved
        ? `调整 changed (现为 today ${x.current_school_id})` : '不变 unchanged')] : null);
    return el('div', { class: 'answer', 'data-level': lv }, head,
      el('div', { class: 'school' }, el('span', { class: 'swatch', style: `background:${s.colour}` }), x.school_name || s.name,
        el('span', { class: 'muted' }, x.school_id)),
      dl, splitText(x), nearerList(x));
  }

  function travelText(x) {
    const parts = [];
    if (x.travel_m !== null && x.travel_m !== undefined) parts.push(`${fmtKm(x.travel_m)} km`);
    if (x.travel_min !== null && x.travel_min !== undefined) parts.push(`${Math.round(x.travel_min)} 分钟 min`);
    const road = S.info.travel === 'road_network' ? ' (道路 by road)' : ' (直线 straight line)';
    return parts.length ? parts.join(', ') + road : '-';
  }

  /** A unit split over several schools: say where its students go. */
  function splitText(x) {
    const g = Array.isArray(x.given) ? x.given : [];
    if (g.length < 2) return null;
    return el('div', { class: 'hint' }, '本片学生分到 students here go to: ' + g.map((r) => `${r.school_id || '未安置 unplaced'} ${r.students}`).join(', '));
  }

  function nearerList(x) {
    const n = Array.isArray(x.nearer) ? x.nearer : [];
    if (!n.length) return el('div', { class: 'hint' }, '没有更近的学校 no nearer school');
    return el('div', {}, el('div', { class: 'hint' }, '更近但未划入的学校及原因 nearer schools, and why not:'),
      el('ul', {}, n.map((m) => el('li', {},
        el('b', {}, m.school_name || m.school_id), ` ${fmtKm(m.travel_m !== null && m.travel_m !== undefined ? m.travel_m : m.straight_m)} km: `,
        WHY[m.reason] || m.reason, m.detail ? el('span', { class: 'muted' }, ` (${m.detail})`) : null))));
  }

  // ---------------------------------------------------------------------------
  // Selecting a unit (unplaced list, test hook)
  // ---------------------------------------------------------------------------

  function selectUnit(id) {
    const i = U.index.get(id);
    if (i === undefined) { showMessage(`没有该单元 no such unit: ${id}`, 'error'); return false; }
    map.setView([U.lat[i], U.lon[i]], Math.max(map.getZoom(), 15), { animate: false });
    openUnitPopup(i);
    return true;
  }

  // ---------------------------------------------------------------------------
  // Wiring
  // ---------------------------------------------------------------------------

  function wireStudio() {
    $('#btn-optimize').addEventListener('click', optimise);
    $('#btn-undo').addEventListener('click', undo);
    $('#btn-redo').addEventListener('click', redo);
    $('#btn-save').addEventListener('click', save);
    $('#btn-lasso').addEventListener('click', () => setLasso(!S.lasso));
    $('#btn-edit').addEventListener('click', () => toggleEdit());
    $('#edit-close').addEventListener('click', () => toggleEdit(false));
    $$('#edit-dialog .tabs button').forEach((b) => b.addEventListener('click', () => showTab(b.dataset.tab)));
    $$('#edit-dialog .edit-form').forEach((f) => f.addEventListener('submit', submitEdit));
    $('#edit-form-classes').school.addEventListener('change', onClassesSchoolChange);
    $('#edit-form-open').level.addEventListener('change', onOpenLevelChange);
    $('#pick-point').addEventListener('click', startPick);
    $('#sel-move').addEventListener('click', moveSelection);
    $('#sel-school').addEventListener('change', () => { S.selectionSchoolChosen = true; });
    $('#sel-clear').addEventListener('click', clearSelection);
    $('#school-table thead').addEventListener('click', onTableHeadClick);
    $('#school-table tbody').addEventListener('click', onTableBodyClick);
    $('#school-table tbody').addEventListener('dblclick', onTableBodyDblClick);
    $('#opt-changes').addEventListener('change', (e) => { S.changesOnly = e.target.checked; unitLayer.redraw(); });
    $('#opt-redraw').addEventListener('change', (e) => {
      S.redrawZones = e.target.checked;
      if (S.redrawZones && S.zonesStale) loadZones().catch(showError);
    });
    $('#zones-stale').addEventListener('click', () => loadZones().catch(showError));
    document.addEventListener('keydown', onKey);
    installSelection();
  }

  function wireCommon() {
    $('#opt-zones').addEventListener('change', (e) => {
      if (!layers.zones) return;
      if (e.target.checked) layers.zones.addTo(map); else layers.zones.remove();
    });
    $('#opt-roads').addEventListener('change', (e) => {
      if (!layers.roads) return;
      if (e.target.checked) layers.roads.addTo(map); else layers.roads.remove();
    });
    $('#opt-labels').addEventListener('change', updateLabelVisibility);
    $('#locate-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const lon = Number($('#loc-lon').value);
      const lat = Number($('#loc-lat').value);
      if (Number.isFinite(lon) && Number.isFinite(lat)) locateAt(lon, lat);
    });
  }

  function onKey(e) {
    if (e.key === 'Escape') { onEscape(); return; }
    if (isTyping(e.target) || !(e.ctrlKey || e.metaKey)) return;
    const k = e.key.toLowerCase();
    if (k === 'z' && !e.shiftKey) { e.preventDefault(); undo(); } else if (k === 'y' || (k === 'z' && e.shiftKey)) { e.preventDefault(); redo(); }
  }

  function onEscape() {
    if (drawing) { drawing = null; $('#draw-path').setAttribute('d', ''); return; }
    if (S.mode === 'pick') { stopPick(); return; }
    if (S.lasso) { setLasso(false); return; }
    if (S.selection.size) { clearSelection(); return; }
    if (S.focus !== null) focusSchool(S.focus);
  }

  // ---------------------------------------------------------------------------
  // Boot
  // ---------------------------------------------------------------------------

  async function boot() {
    const info = await api('api/info');
    S.info = info;
    S.public = !!info.public;
    S.levels = (info.levels && info.levels.length ? info.levels : ['primary', 'junior']).map(levelName);
    S.level = S.levels[0];
    S.history = info.history || S.history;
    S.optimal = Object.assign({}, info.optimal || {});
    document.body.classList.toggle('public', S.public);
    document.title = `${S.public ? '查询学校 Find my school' : '划片工作室 Catchment studio'}${info.name ? ' - ' + info.name : ''}`;
    $('#county-name').textContent = info.name || '';
    $('#banner-synthetic').hidden = !info.synthetic;
    createMap();
    fitCounty();
    addTiles();
    renderLevelSwitch();
    wireCommon();
    await (S.public ? bootPublic() : bootStudio());
    renderLegend();
    document.body.classList.remove('loading');
  }

  async function bootStudio() {
    const [lay, pts, units, asg] = await Promise.all([
      api('api/layers'), api('api/school_points'), api('api/units'), api('api/assignment')]);
    addBaseLayers(lay);
    setSchools(pts);
    setUnits(units);
    setAssignment(asg);
    unitLayer = new UnitLayer().addTo(map);
    wireStudio();
    renderEditSelects();
    await Promise.all([loadTable(S.level), loadZones()]);
    updateToolbar();
  }

  async function bootPublic() {
    const [lay, pts, zones, csv] = await Promise.all([
      api('api/layers'), api('api/school_points'), api('api/zones'), api('api/schools').catch(() => null)]);
    addBaseLayers(lay);
    S.layers = lay;
    setSchools(pts);
    S.schoolsCsv = Array.isArray(csv) ? csv : null;
    S.zones = zones;
    drawZones();
    drawSchools();
  }

  // Resolves {ok: true} once everything is drawn, {ok: false, error} if not:
  // never rejects, so no promise is left unhandled.
  const ready = boot().then(() => ({ ok: true }), (e) => {
    showError(e);
    document.body.classList.remove('loading');
    return { ok: false, error: String(e && e.message ? e.message : e) };
  });

  window.addEventListener('unhandledrejection', (e) => {
    e.preventDefault();
    showError(e.reason);
  });

  // ---------------------------------------------------------------------------
  // Hooks for tests and the curious (window.studio)
  // ---------------------------------------------------------------------------

  window.studio = {
    ready,
    state: S,
    units: U,
    /** Zoom to a unit and open its popup. */
    selectUnit,
    /** Resolves when no request is in flight and no step is running. */
    idle() {
      return new Promise((resolve) => {
        const poll = () => (pending === 0 && !S.busy ? resolve(true) : setTimeout(poll, 30));
        poll();
      });
    },
    /** Centre the map on a unit at a zoom; resolves after the view settled. */
    zoomToUnit(id, zoom) {
      const i = U.index.get(id);
      if (i === undefined) return Promise.resolve(false);
      map.setView([U.lat[i], U.lon[i]], zoom || 16, { animate: false });
      if (unitLayer) unitLayer._draw();
      return Promise.resolve(true);
    },
    /** Where a unit is drawn, in viewport (client) pixels, or null if not drawn. */
    unitClientPoint(id) {
      const i = U.index.get(id);
      if (i === undefined || !unitLayer) return null;
      unitLayer._draw();
      const j = U.pos[i];
      if (j < 0) return null;
      const r = map.getContainer().getBoundingClientRect();
      return { x: r.left + U.vx[j], y: r.top + U.vy[j] };
    },
    /** The school a unit is drawn for at a level (main school), '' if unplaced. */
    unitSchool(id, level) {
      const i = U.index.get(id);
      const a = A[level || S.level];
      if (i === undefined || !a) return null;
      const s = a.school[i];
      return s >= 0 ? S.schools[s].school_id : s === UNPLACED ? '' : null;
    },
    setLevel,
    focusSchool,
    /** Run a step as the buttons do (for tests). */
    step: (path, body, opts) => runStep(path, body, opts),
    map: () => map,
  };
}());

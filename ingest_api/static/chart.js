/* A small SVG time-series line chart: axes, drag-to-zoom, keyboard, hover tooltip. */
"use strict";

(function () {
  const SVG_NS = "http://www.w3.org/2000/svg";
  const HOUR = 3600e3;
  const DAY = 24 * HOUR;
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const MARGIN = { top: 14, right: 14, bottom: 30, left: 46 };

  /** Milliseconds since the epoch of an ISO-8601 string; a time without an offset is UTC. */
  function parseTime(text) {
    let s = String(text).trim().replace(" ", "T");
    if (/^\d{4}-\d{2}-\d{2}$/.test(s)) s += "T00:00:00";
    if (!/(Z|[+-]\d{2}:?\d{2})$/.test(s)) s += "Z";
    return Date.parse(s);
  }

  function pad2(n) { return String(n).padStart(2, "0"); }

  /** A date label at the detail the data's bucket size calls for (UTC). */
  function formatTime(ms, resolution) {
    const d = new Date(ms);
    const day = `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
    const res = String(resolution || "");
    if (/MS$|M$/.test(res)) return `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
    if (/^\d*(h|H|min|T|s|S)$/.test(res) || res === "") {
      const time = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
      return time === "00:00" && res === "" ? day : `${day} ${time}`;
    }
    if (/^\d*W|^7D$/.test(res)) return `Week of ${day}`;
    return day;
  }

  /** Round numbers for an axis from lo to hi, about `count` of them. */
  function niceTicks(lo, hi, count) {
    if (!(hi > lo)) { lo -= 1; hi += 1; }
    const raw = (hi - lo) / Math.max(1, count);
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const norm = raw / mag;
    const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
    const ticks = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
      ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    }
    return { ticks, step };
  }

  const TIME_STEPS = [
    { ms: HOUR, unit: "h", n: 1 }, { ms: 3 * HOUR, unit: "h", n: 3 }, { ms: 6 * HOUR, unit: "h", n: 6 },
    { ms: 12 * HOUR, unit: "h", n: 12 }, { ms: DAY, unit: "d", n: 1 }, { ms: 2 * DAY, unit: "d", n: 2 },
    { ms: 7 * DAY, unit: "d", n: 7 }, { ms: 14 * DAY, unit: "d", n: 14 },
    { ms: 30 * DAY, unit: "m", n: 1 }, { ms: 91 * DAY, unit: "m", n: 3 }, { ms: 182 * DAY, unit: "m", n: 6 },
    { ms: 365 * DAY, unit: "y", n: 1 }, { ms: 730 * DAY, unit: "y", n: 2 }, { ms: 1826 * DAY, unit: "y", n: 5 },
    { ms: 3652 * DAY, unit: "y", n: 10 }, { ms: 9131 * DAY, unit: "y", n: 25 }, { ms: 36524 * DAY, unit: "y", n: 100 },
  ];

  /** Calendar-aligned time ticks between t0 and t1, at most `maxCount`. */
  function timeTicks(t0, t1, maxCount) {
    const span = t1 - t0;
    const step = TIME_STEPS.find((s) => span / s.ms <= maxCount) || TIME_STEPS[TIME_STEPS.length - 1];
    const d = new Date(t0);
    let cur;
    if (step.unit === "h") {
      cur = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), Math.ceil(d.getUTCHours() / step.n) * step.n);
    } else if (step.unit === "d") {
      cur = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      if (step.n === 7 || step.n === 14) cur -= ((new Date(cur).getUTCDay() + 6) % 7) * DAY; // Mondays
    } else if (step.unit === "m") {
      cur = Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / step.n) * step.n, 1);
    } else {
      cur = Date.UTC(Math.floor(d.getUTCFullYear() / step.n) * step.n, 0, 1);
    }
    const ticks = [];
    for (let i = 0; i < 500 && cur <= t1; i++) {
      if (cur >= t0) ticks.push(cur);
      const c = new Date(cur);
      if (step.unit === "h" || step.unit === "d") cur += step.ms;
      else if (step.unit === "m") cur = Date.UTC(c.getUTCFullYear(), c.getUTCMonth() + step.n, 1);
      else cur = Date.UTC(c.getUTCFullYear() + step.n, 0, 1);
    }
    return { ticks, step };
  }

  function tickLabel(ms, step, previous) {
    const d = new Date(ms);
    const p = previous === null ? null : new Date(previous);
    if (step.unit === "y") return String(d.getUTCFullYear());
    if (step.unit === "m") {
      return d.getUTCMonth() === 0 || !p || p.getUTCFullYear() !== d.getUTCFullYear()
        ? `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}` : MONTHS[d.getUTCMonth()];
    }
    const dayLabel = `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
    if (step.unit === "d") {
      return !p || p.getUTCFullYear() !== d.getUTCFullYear() ? `${dayLabel} ${d.getUTCFullYear()}` : dayLabel;
    }
    const time = `${pad2(d.getUTCHours())}:00`;
    return !p || p.getUTCDate() !== d.getUTCDate() ? `${dayLabel} ${time}` : time;
  }

  function el(name, attrs, parent) {
    const node = document.createElementNS(SVG_NS, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (parent) parent.appendChild(node);
    return node;
  }

  /** First index whose time is >= t (binary search). */
  function lowerBound(points, t) {
    let lo = 0, hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (points[mid].t < t) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** Keep at most ~2 points per pixel column (min and max, in time order). */
  function decimate(points, x, width) {
    if (points.length <= width * 2) return points;
    const out = [];
    let col = null, lo = null, hi = null;
    const flush = () => {
      if (lo === null) return;
      if (lo === hi) out.push(lo);
      else if (lo.t < hi.t) out.push(lo, hi);
      else out.push(hi, lo);
    };
    for (const p of points) {
      if (p.v === null) { flush(); out.push(p); col = null; lo = hi = null; continue; }
      const c = Math.floor(x(p.t));
      if (c !== col) { flush(); col = c; lo = hi = p; continue; }
      if (p.v < lo.v) lo = p;
      if (p.v > hi.v) hi = p;
    }
    flush();
    return out;
  }

  function fmtTemp(v) { return `${v.toFixed(1)} °C`; }

  /** Create a chart inside `container`; returns {setData, reset}. */
  function create(container, options) {
    const opts = Object.assign({ onViewChange: () => {} }, options || {});
    let points = [];
    let resolution = "";
    let full = null; // [t0, t1]
    let view = null;
    let focusIndex = -1;
    let drag = null;
    let geometry = null;

    const tooltip = document.createElement("div");
    tooltip.className = "tooltip";
    tooltip.hidden = true;

    function setData(series, res) {
      resolution = res || "";
      points = (series || [])
        .map((p) => ({ t: parseTime(p.date), v: p.mean_temp_C === null || p.mean_temp_C === undefined ? null : Number(p.mean_temp_C), date: p.date }))
        .filter((p) => Number.isFinite(p.t))
        .sort((a, b) => a.t - b.t);
      const defined = points.filter((p) => p.v !== null && Number.isFinite(p.v));
      if (defined.length === 0) { full = view = null; render(); return; }
      full = [points[0].t, points[points.length - 1].t];
      if (full[0] === full[1]) full = [full[0] - HOUR, full[1] + HOUR];
      view = full.slice();
      focusIndex = -1;
      render();
    }

    function zoomed() { return full && view && (view[0] > full[0] || view[1] < full[1]); }

    function setView(t0, t1) {
      if (!full) return;
      const minSpan = Math.min(full[1] - full[0], Math.max(HOUR, (full[1] - full[0]) / 2000));
      if (t1 - t0 < minSpan) { const mid = (t0 + t1) / 2; t0 = mid - minSpan / 2; t1 = mid + minSpan / 2; }
      const span = Math.min(t1 - t0, full[1] - full[0]);
      t0 = Math.max(full[0], Math.min(t0, full[1] - span));
      view = [t0, t0 + span];
      render();
    }

    function reset() { if (full) { view = full.slice(); render(); } }

    function visible() {
      const i0 = Math.max(0, lowerBound(points, view[0]) - 1);
      const i1 = Math.min(points.length, lowerBound(points, view[1]) + 1);
      return { i0, i1, pts: points.slice(i0, i1) };
    }

    function render() {
      container.replaceChildren();
      tooltip.hidden = true;
      if (!full) {
        const empty = document.createElement("div");
        empty.className = "chart-empty";
        empty.textContent = "No time series: the file has no usable date column.";
        container.appendChild(empty);
        container.setAttribute("aria-label", "No time series available");
        opts.onViewChange({ zoomed: false, label: "" });
        return;
      }
      const width = Math.max(200, container.clientWidth);
      const height = Math.max(160, container.clientHeight);
      const pw = width - MARGIN.left - MARGIN.right;
      const ph = height - MARGIN.top - MARGIN.bottom;
      const { i0, pts } = visible();
      const shown = pts.filter((p) => p.v !== null && p.t >= view[0] && p.t <= view[1]);
      const values = (shown.length ? shown : pts).filter((p) => p.v !== null).map((p) => p.v);
      let vmin = Math.min(...values), vmax = Math.max(...values);
      const padV = (vmax - vmin) * 0.08 || 1;
      const yt = niceTicks(vmin - padV, vmax + padV, Math.max(3, Math.round(ph / 55)));
      vmin = Math.min(vmin - padV, yt.ticks[0]);
      vmax = Math.max(vmax + padV, yt.ticks[yt.ticks.length - 1]);
      const x = (t) => MARGIN.left + ((t - view[0]) / (view[1] - view[0])) * pw;
      const y = (v) => MARGIN.top + (1 - (v - vmin) / (vmax - vmin)) * ph;
      const invX = (px) => view[0] + ((px - MARGIN.left) / pw) * (view[1] - view[0]);
      geometry = { x, y, invX, pw, ph, width, height, i0 };

      const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, width, height, "aria-hidden": "true", focusable: "false" });
      const defs = el("defs", {}, svg);
      const clip = el("clipPath", { id: "plot-clip" }, defs);
      el("rect", { x: MARGIN.left, y: MARGIN.top - 2, width: pw, height: ph + 4 }, clip);

      const grid = el("g", { class: "grid" }, svg);
      const axisY = el("g", { class: "axis axis-y" }, svg);
      for (const v of yt.ticks) {
        if (v < vmin || v > vmax) continue;
        const yy = Math.round(y(v)) + 0.5;
        el("line", { x1: MARGIN.left, x2: MARGIN.left + pw, y1: yy, y2: yy }, grid);
        const label = el("text", { x: MARGIN.left - 8, y: yy, "text-anchor": "end", "dominant-baseline": "middle" }, axisY);
        const decimals = yt.step < 1 ? Math.min(2, Math.ceil(-Math.log10(yt.step))) : 0;
        label.textContent = v.toFixed(decimals);
      }
      const yTitle = el("text", { class: "axis-title", x: MARGIN.left - 8, y: MARGIN.top - 4, "text-anchor": "end" }, axisY);
      yTitle.textContent = "°C";

      const axisX = el("g", { class: "axis axis-x" }, svg);
      el("line", { class: "axis-line", x1: MARGIN.left, x2: MARGIN.left + pw, y1: MARGIN.top + ph + 0.5, y2: MARGIN.top + ph + 0.5 }, axisX);
      const xt = timeTicks(view[0], view[1], Math.max(3, Math.floor(pw / 85)));
      let prev = null;
      for (const t of xt.ticks) {
        const xx = Math.round(x(t)) + 0.5;
        el("line", { x1: xx, x2: xx, y1: MARGIN.top, y2: MARGIN.top + ph }, grid);
        const label = el("text", { x: xx, y: MARGIN.top + ph + 18, "text-anchor": "middle" }, axisX);
        label.textContent = tickLabel(t, xt.step, prev);
        prev = t;
      }

      const plot = el("g", { "clip-path": "url(#plot-clip)" }, svg);
      const drawn = decimate(pts, x, pw);
      let line = "", area = "", segStart = null, lastX = null;
      const base = MARGIN.top + ph;
      for (const p of drawn) {
        if (p.v === null) {
          if (segStart !== null) area += `L${lastX.toFixed(1)},${base}L${segStart.toFixed(1)},${base}Z`;
          segStart = null;
          continue;
        }
        const px = x(p.t).toFixed(1), py = y(p.v).toFixed(1);
        if (segStart === null) {
          line += `M${px},${py}`;
          area += `M${px},${base}L${px},${py}`;
          segStart = Number(px);
        } else {
          line += `L${px},${py}`;
          area += `L${px},${py}`;
        }
        lastX = Number(px);
      }
      if (segStart !== null) area += `L${lastX.toFixed(1)},${base}L${segStart.toFixed(1)},${base}Z`;
      el("path", { class: "area", d: area }, plot);
      el("path", { class: "series", d: line }, plot);
      if (shown.length === 1) el("circle", { class: "hover-dot", cx: x(shown[0].t), cy: y(shown[0].v), r: 3 }, plot);

      const hover = el("g", { class: "hover", visibility: "hidden" }, svg);
      el("line", { class: "crosshair", y1: MARGIN.top, y2: MARGIN.top + ph }, hover);
      el("circle", { class: "hover-dot", r: 4.5 }, hover);
      const selection = el("rect", { class: "selection", y: MARGIN.top, height: ph, visibility: "hidden" }, svg);
      const overlay = el("rect", { class: "overlay", x: MARGIN.left, y: MARGIN.top, width: pw, height: ph }, svg);
      geometry.hover = hover;
      geometry.selection = selection;

      overlay.addEventListener("pointerdown", onPointerDown);
      overlay.addEventListener("pointermove", onPointerMove);
      overlay.addEventListener("pointerup", onPointerUp);
      overlay.addEventListener("pointercancel", () => { drag = null; selection.setAttribute("visibility", "hidden"); });
      overlay.addEventListener("pointerleave", () => { if (!drag) hideHover(); });
      overlay.addEventListener("dblclick", reset);

      container.appendChild(svg);
      container.appendChild(tooltip);
      const label = `${formatTime(view[0], resolution)} – ${formatTime(view[1], resolution)}`;
      const lo = Math.min(...values), hi = Math.max(...values);
      container.setAttribute("aria-label",
        `Line chart of mean temperature from ${label}; lowest ${fmtTemp(lo)}, highest ${fmtTemp(hi)}.`);
      opts.onViewChange({ zoomed: Boolean(zoomed()), label });
      if (focusIndex >= 0 && points[focusIndex] && points[focusIndex].t >= view[0] && points[focusIndex].t <= view[1]) {
        showHover(focusIndex);
      }
    }

    function localX(event) {
      const rect = container.getBoundingClientRect();
      return Math.max(MARGIN.left, Math.min(MARGIN.left + geometry.pw, event.clientX - rect.left));
    }

    function nearestIndex(t) {
      let i = lowerBound(points, t);
      if (i >= points.length) i = points.length - 1;
      if (i > 0 && Math.abs(points[i - 1].t - t) < Math.abs(points[i].t - t)) i -= 1;
      // Skip empty buckets: look for the closest defined value.
      for (let d = 0; d < points.length; d++) {
        if (points[i + d] && points[i + d].v !== null) return i + d;
        if (points[i - d] && points[i - d].v !== null) return i - d;
      }
      return -1;
    }

    function showHover(i) {
      const p = points[i];
      if (!p || p.v === null || !geometry) return;
      const cx = geometry.x(p.t), cy = geometry.y(p.v);
      const hover = geometry.hover;
      hover.setAttribute("visibility", "visible");
      const [line, dot] = hover.children;
      line.setAttribute("x1", cx); line.setAttribute("x2", cx);
      dot.setAttribute("cx", cx); dot.setAttribute("cy", cy);
      tooltip.replaceChildren();
      const strong = document.createElement("strong");
      strong.textContent = fmtTemp(p.v);
      const when = document.createElement("div");
      when.textContent = formatTime(p.t, resolution);
      tooltip.append(strong, when);
      tooltip.hidden = false;
      const half = tooltip.offsetWidth / 2;
      tooltip.style.left = `${Math.max(half, Math.min(geometry.width - half, cx))}px`;
      tooltip.style.top = `${Math.max(cy, 52)}px`;
    }

    function hideHover() {
      if (geometry) geometry.hover.setAttribute("visibility", "hidden");
      tooltip.hidden = true;
    }

    function onPointerDown(event) {
      if (event.button !== 0) return;
      drag = { x0: localX(event), x1: localX(event), id: event.pointerId };
      event.target.setPointerCapture(event.pointerId);
    }

    function onPointerMove(event) {
      const px = localX(event);
      if (drag) {
        drag.x1 = px;
        const sel = geometry.selection;
        sel.setAttribute("x", Math.min(drag.x0, drag.x1));
        sel.setAttribute("width", Math.abs(drag.x1 - drag.x0));
        sel.setAttribute("visibility", Math.abs(drag.x1 - drag.x0) > 2 ? "visible" : "hidden");
      }
      const i = nearestIndex(geometry.invX(px));
      if (i >= 0) { focusIndex = i; showHover(i); }
    }

    function onPointerUp(event) {
      if (!drag) return;
      const { x0, x1 } = drag;
      drag = null;
      geometry.selection.setAttribute("visibility", "hidden");
      if (Math.abs(x1 - x0) > 6) {
        const t0 = geometry.invX(Math.min(x0, x1)), t1 = geometry.invX(Math.max(x0, x1));
        setView(t0, t1);
        onPointerMove(event);
      }
    }

    container.addEventListener("keydown", (event) => {
      if (!full) return;
      const { i0, pts } = visible();
      const inView = pts.map((_, k) => i0 + k).filter((k) => points[k].v !== null && points[k].t >= view[0] && points[k].t <= view[1]);
      if (!inView.length) return;
      let pos = inView.indexOf(focusIndex);
      const stepSize = event.shiftKey ? Math.max(1, Math.round(inView.length / 10)) : 1;
      const span = view[1] - view[0];
      const center = focusIndex >= 0 ? points[focusIndex].t : (view[0] + view[1]) / 2;
      switch (event.key) {
        case "ArrowRight": pos = pos < 0 ? 0 : Math.min(inView.length - 1, pos + stepSize); break;
        case "ArrowLeft": pos = pos < 0 ? inView.length - 1 : Math.max(0, pos - stepSize); break;
        case "Home": pos = 0; break;
        case "End": pos = inView.length - 1; break;
        case "+": case "=": setView(center - span / 4, center + span / 4); event.preventDefault(); return;
        case "-": case "_": setView(center - span, center + span); event.preventDefault(); return;
        case "Escape": case "0": reset(); event.preventDefault(); return;
        default: return;
      }
      event.preventDefault();
      focusIndex = inView[pos];
      showHover(focusIndex);
      const p = points[focusIndex];
      opts.onFocusPoint && opts.onFocusPoint(`${formatTime(p.t, resolution)}: ${fmtTemp(p.v)}`);
    });
    container.addEventListener("blur", hideHover);

    let lastWidth = 0;
    new ResizeObserver(() => {
      if (container.clientWidth !== lastWidth) { lastWidth = container.clientWidth; if (full) render(); }
    }).observe(container);

    return { setData, reset, zoom: setView };
  }

  window.WeatherChart = { create, parseTime, formatTime };
})();

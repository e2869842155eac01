/* The weather pipeline page: upload with progress, live job status, result, recent jobs. */
"use strict";

(function () {
  const API = "/api/v1";
  const WAIT_SECONDS = 25;
  const ACCEPTED = [".csv", ".xlsx", ".xls"];
  const TERMINAL = new Set(["SUCCESS", "FAILURE"]);
  const ERROR_TITLES = {
    FILE_TOO_LARGE: "The file is too large",
    UNSUPPORTED_FILE_TYPE: "This file type is not supported",
    NO_TEMPERATURE_COLUMN: "No temperature column found",
    EMPTY_FILE: "The file is empty",
    CORRUPT_FILE: "The file could not be read",
    NOT_ENOUGH_DATA: "Not enough data to analyse",
    NOT_FOUND: "Job not found",
    NETWORK: "Cannot reach the service",
  };

  const $ = (id) => document.getElementById(id);
  const ui = {
    dropzone: $("dropzone"), fileInput: $("file-input"), choose: $("choose-button"),
    uploadState: $("upload-state"), uploadName: $("upload-file-name"), uploadSize: $("upload-file-size"),
    progress: $("upload-progress"), progressRow: $("progress-row"), progressText: $("upload-progress-text"), steps: $("steps"),
    statusLine: $("status-line"), errorBox: $("error-box"), errorTitle: $("error-title"),
    errorMessage: $("error-message"), errorCode: $("error-code"),
    result: $("result"), resultMeta: $("result-meta"), resultBadge: $("result-badge"), summary: $("result-summary"),
    r2: $("r2-value"), r2Note: $("r2-note"), slope: $("slope-value"), intercept: $("intercept-value"),
    records: $("records-value"), recordsNote: $("records-note"),
    chart: $("chart"), chartReset: $("chart-reset"), chartRange: $("chart-range"),
    statsBody: document.querySelector("#stats-table tbody"), columns: $("columns-list"), rows: $("rows-list"),
    warnings: $("warnings"), warningsList: $("warnings-list"),
    jobsList: $("jobs-list"), jobsEmpty: $("jobs-empty"), jobsError: $("jobs-error"), jobsMore: $("jobs-more"),
    jobsFilter: $("jobs-filter"), jobsRefresh: $("jobs-refresh"),
    dialog: $("confirm-dialog"), dialogText: $("confirm-text"),
  };

  const state = {
    track: 0,            // generation of the job being followed; a newer one stops older loops
    currentJob: null,
    xhr: null,
    cursor: null,
    jobs: new Map(),     // job_id -> job summary from the list
    names: new Map(),    // job_id -> filename known to this page
  };

  /* ---------- formatting ---------- */

  const intFmt = new Intl.NumberFormat("en-US");
  function fixed(value, digits) {
    return value === null || value === undefined || !Number.isFinite(Number(value)) ? "–" : Number(value).toFixed(digits);
  }
  function bytes(n) {
    if (!Number.isFinite(n)) return "";
    const units = ["B", "KB", "MB", "GB", "TB"];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return `${n.toFixed(i === 0 || n >= 100 ? 0 : 1)} ${units[i]}`;
  }
  function toDate(value) {
    if (value === null || value === undefined || value === "") return null;
    if (typeof value === "number") return new Date(value < 1e12 ? value * 1000 : value);
    const d = new Date(window.WeatherChart.parseTime(value));
    return Number.isNaN(d.getTime()) ? null : d;
  }
  function utcStamp(value) {
    const d = toDate(value);
    return d ? `${d.toISOString().slice(0, 16).replace("T", " ")} UTC` : "";
  }
  function ago(value) {
    const d = toDate(value);
    if (!d) return "";
    const s = (Date.now() - d.getTime()) / 1000;
    if (s < 45) return "just now";
    if (s < 3600) return `${Math.round(s / 60)} min ago`;
    if (s < 86400) return `${Math.round(s / 3600)} h ago`;
    if (s < 7 * 86400) return `${Math.round(s / 86400)} d ago`;
    return d.toISOString().slice(0, 10);
  }
  function shortId(id) { return id && id.length > 14 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id || ""; }
  function errorOf(body, fallbackCode, fallbackMessage) {
    const err = body && typeof body === "object" ? body.error : null;
    if (err && typeof err === "object") return { code: err.code || fallbackCode, message: err.message || fallbackMessage };
    if (typeof err === "string") return { code: fallbackCode, message: err };
    return { code: fallbackCode, message: fallbackMessage };
  }

  /* ---------- HTTP ---------- */

  async function request(method, path) {
    let response;
    try {
      response = await fetch(API + path, { method, headers: { Accept: "application/json" }, cache: "no-store" });
    } catch (e) {
      throw { code: "NETWORK", message: "The service did not answer. Check that it is running, then try again." };
    }
    let body = null;
    const text = await response.text();
    try { body = text ? JSON.parse(text) : null; } catch (e) { body = { error: { code: `HTTP_${response.status}`, message: text.slice(0, 300) } }; }
    return { status: response.status, body };
  }
  function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

  /* ---------- status display ---------- */

  function setStatusLine(text) { ui.statusLine.textContent = text || ""; }
  function setTitle(prefix) { document.title = prefix ? `${prefix} · Weather pipeline` : "Weather pipeline"; }
  function showError(err, titleOverride) {
    ui.errorTitle.textContent = titleOverride || ERROR_TITLES[err.code] || "Something went wrong";
    ui.errorMessage.textContent = err.message || "";
    ui.errorCode.textContent = err.code || "";
    ui.errorBox.hidden = false;
    setTitle(ui.errorTitle.textContent);
  }
  function clearError() { ui.errorBox.hidden = true; }

  const STEP_ORDER = ["UPLOAD", "PENDING", "RUNNING", "DONE"];
  function setStep(status, failed) {
    const key = status === "QUEUED" ? "PENDING" : TERMINAL.has(status) ? "DONE" : status;
    const at = STEP_ORDER.indexOf(key);
    for (const li of ui.steps.children) {
      const i = STEP_ORDER.indexOf(li.dataset.step);
      li.classList.toggle("done", i < at || (i === at && key === "DONE" && !failed));
      li.classList.toggle("active", i === at && key !== "DONE");
      li.classList.toggle("failed", i === at && Boolean(failed));
    }
    ui.steps.lastElementChild.textContent = key === "DONE" && failed ? "Failed" : "Done";
  }
  function showUploadPanel(name, size) {
    ui.uploadState.hidden = false;
    ui.uploadName.textContent = name || "";
    ui.uploadSize.textContent = size ? bytes(size) : "";
  }
  function setProgress(loaded, total, rate) {
    const pct = total ? Math.min(100, Math.floor((loaded / total) * 100)) : 0;
    ui.progress.value = pct;
    ui.progress.setAttribute("aria-valuetext", `${pct}%`);
    ui.progressText.textContent = total ? `${pct}% · ${bytes(loaded)} of ${bytes(total)}${rate ? ` · ${bytes(rate)}/s` : ""}` : "";
  }

  /* ---------- upload ---------- */

  function upload(file) {
    if (state.xhr) state.xhr.abort();
    state.track++;
    clearError();
    ui.result.hidden = true; // the result on show belongs to another file
    const name = file.name || "file";
    const ext = name.slice(name.lastIndexOf(".")).toLowerCase();
    showUploadPanel(name, file.size);
    ui.progressRow.hidden = false;
    setProgress(0, file.size);
    setStep("UPLOAD");
    ui.steps.children[0].textContent = "Upload";
    if (!ACCEPTED.includes(ext)) {
      setStep("UPLOAD", true);
      setStatusLine("");
      showError({ code: "UNSUPPORTED_FILE_TYPE", message: `“${name}” is not a .csv, .xlsx or .xls file.` });
      return;
    }
    setStatusLine(`Uploading ${name}…`);
    setTitle("Uploading…");
    const xhr = new XMLHttpRequest();
    state.xhr = xhr;
    const started = performance.now();
    xhr.open("POST", `${API}/upload/`);
    xhr.responseType = "text";
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (e) => {
      const seconds = (performance.now() - started) / 1000;
      setProgress(e.loaded, e.lengthComputable ? e.total : file.size, seconds > 0.3 ? e.loaded / seconds : 0);
    });
    xhr.addEventListener("load", () => {
      state.xhr = null;
      let body = null;
      try { body = JSON.parse(xhr.responseText || "null"); } catch (e) { body = null; }
      setProgress(file.size, file.size);
      if ((xhr.status === 200 || xhr.status === 202) && body && body.job_id) {
        state.names.set(body.job_id, name);
        if (xhr.status === 200 && body.status === "SUCCESS" && body.results) {
          setStep("SUCCESS");
          setStatusLine("This file was analysed before: showing the stored result.");
          setCurrentJob(body.job_id);
          showResult(body, { fromCache: Boolean(body.from_cache), filename: name });
        } else {
          setCurrentJob(body.job_id);
          follow(body.job_id, body.status || "PENDING");
        }
        refreshJobs();
        return;
      }
      setStep("UPLOAD", true);
      setStatusLine("");
      const fallback = xhr.status === 413 ? "FILE_TOO_LARGE" : xhr.status === 415 ? "UNSUPPORTED_FILE_TYPE" : `HTTP_${xhr.status}`;
      showError(errorOf(body, fallback, `The upload was refused (HTTP ${xhr.status}).`));
    });
    xhr.addEventListener("error", () => {
      state.xhr = null;
      setStep("UPLOAD", true);
      setStatusLine("");
      showError({ code: "NETWORK", message: "The upload could not reach the service. Check that it is running, then try again." });
    });
    const form = new FormData();
    form.append("file", file, name);
    xhr.send(form);
  }

  /* ---------- following a job ---------- */

  function setCurrentJob(jobId) {
    state.currentJob = jobId;
    const hash = `#job=${encodeURIComponent(jobId)}`;
    if (location.hash !== hash) history.replaceState(null, "", hash);
    for (const li of ui.jobsList.children) li.classList.toggle("current", li.dataset.jobId === jobId);
  }

  const STATUS_TEXT = {
    PENDING: "Waiting for the pipeline to pick the file up…",
    QUEUED: "Queued for analysis…",
    RUNNING: "Analysing…",
  };

  async function follow(jobId, initialStatus) {
    const token = ++state.track;
    const started = Date.now();
    let failures = 0;
    setStep(initialStatus || "PENDING");
    setStatusLine(STATUS_TEXT[initialStatus] || "Checking the job…");
    while (token === state.track) {
      const t0 = Date.now();
      let res;
      try {
        res = await request("GET", `/status/${encodeURIComponent(jobId)}/?wait=${WAIT_SECONDS}`);
      } catch (err) {
        if (token !== state.track) return;
        failures++;
        if (failures >= 5) { setStatusLine(""); showError(err); return; }
        setStatusLine(`Connection lost; retrying (${failures}/4)…`);
        await sleep(1000 * 2 ** failures);
        continue;
      }
      if (token !== state.track) return;
      const body = res.body || {};
      if (res.status >= 502 && res.status <= 504 && failures < 4) {
        // A backing service is briefly unavailable: ask again rather than give up.
        failures++;
        setStatusLine(`${errorOf(body, "", "The service is unavailable").message}; retrying (${failures}/4)…`);
        await sleep(1000 * 2 ** failures);
        continue;
      }
      failures = 0;
      if (res.status === 202) {
        const status = body.status || "PENDING";
        setStep(status);
        const seconds = Math.round((Date.now() - started) / 1000);
        setStatusLine(`${STATUS_TEXT[status] || status}${seconds >= 5 ? ` (${seconds} s)` : ""}`);
        setTitle(status === "RUNNING" ? "Analysing…" : "Queued…");
        updateJobBadge(jobId, status);
        if (Date.now() - t0 < 1000) await sleep(1000); // the server answered early: do not spin
        continue;
      }
      if (res.status === 200 && body.status === "SUCCESS") {
        setStep("SUCCESS");
        setStatusLine("");
        showResult(body, {});
        updateJobBadge(jobId, "SUCCESS");
        return;
      }
      if (res.status === 200 && body.status === "FAILURE") {
        setStep("FAILURE", true);
        setStatusLine("");
        ui.result.hidden = true;
        showError(errorOf(body, "ANALYSIS_FAILED", "The analysis failed."), "Analysis failed");
        updateJobBadge(jobId, "FAILURE");
        return;
      }
      setStep("DONE", true);
      setStatusLine("");
      ui.result.hidden = true;
      showError(errorOf(body, res.status === 404 ? "NOT_FOUND" : `HTTP_${res.status}`,
        res.status === 404 ? "This job does not exist (it may have been deleted)." : `Unexpected answer (HTTP ${res.status}).`));
      return;
    }
  }

  function openJob(jobId) {
    if (state.xhr) { state.xhr.abort(); state.xhr = null; }
    clearError();
    if (jobId !== state.currentJob) ui.result.hidden = true;
    setCurrentJob(jobId);
    const job = state.jobs.get(jobId);
    showUploadPanel(state.names.get(jobId) || (job && job.filename) || shortId(jobId), job && job.size);
    ui.progressRow.hidden = true;
    ui.steps.children[0].textContent = "Uploaded";
    follow(jobId, job ? job.status : null);
  }

  /* ---------- result ---------- */

  function dl(target, pairs) {
    target.replaceChildren();
    for (const [k, v] of pairs) {
      const dt = document.createElement("dt");
      dt.textContent = k;
      const dd = document.createElement("dd");
      dd.textContent = v === null || v === undefined || v === "" ? "–" : String(v);
      target.append(dt, dd);
    }
  }

  function showResult(doc, { fromCache, filename }) {
    const r = doc.results || {};
    const jobId = doc.job_id;
    const name = filename || doc.filename || state.names.get(jobId) || (state.jobs.get(jobId) || {}).filename || "";
    if (name) state.names.set(jobId, name);
    clearError();
    ui.result.hidden = false;
    setTitle(name || "Result");

    const meta = [name, `job ${shortId(jobId)}`];
    if (r.analyzed_at) meta.push(`analysed ${utcStamp(r.analyzed_at)}`);
    ui.resultMeta.textContent = meta.filter(Boolean).join(" · ");
    ui.resultMeta.title = jobId;
    const cached = fromCache || doc.from_cache;
    ui.resultBadge.className = `badge ${cached ? "CACHED" : "SUCCESS"}`;
    ui.resultBadge.textContent = cached ? "FROM CACHE" : "SUCCESS";
    ui.summary.textContent = r.report_summary || "";

    const reg = r.regression_analysis || {};
    const hasR2 = reg.temp_humidity_r2 !== null && reg.temp_humidity_r2 !== undefined;
    ui.r2.textContent = hasR2 ? fixed(reg.temp_humidity_r2, 4) : "–";
    ui.r2.dataset.value = hasR2 ? String(reg.temp_humidity_r2) : "";
    ui.r2Note.textContent = hasR2
      ? [reg.pearson_r !== undefined && reg.pearson_r !== null ? `r = ${fixed(reg.pearson_r, 3)}` : "",
         reg.n ? `n = ${intFmt.format(reg.n)}` : ""].filter(Boolean).join(" · ")
      : "No humidity column: no regression";
    ui.slope.textContent = hasR2 ? fixed(reg.slope, 4) : "–";
    ui.intercept.textContent = hasR2 ? fixed(reg.intercept, 2) : "–";
    ui.records.textContent = Number.isFinite(r.num_records) ? intFmt.format(r.num_records) : "–";
    const range = r.date_range;
    ui.recordsNote.textContent = range && range.start
      ? `${window.WeatherChart.formatTime(window.WeatherChart.parseTime(range.start), "1D")} – ${window.WeatherChart.formatTime(window.WeatherChart.parseTime(range.end), "1D")}`
      : "no date column";

    chart.setData(r.time_series_data || [], r.time_series_resolution || "");
    const res = r.time_series_resolution;
    $("chart-title").textContent = res ? `Mean temperature per ${describeResolution(res)}` : "Mean temperature";

    ui.statsBody.replaceChildren();
    const t = r.temperature_C || {}, h = r.humidity_pct || null;
    for (const [label, key] of [["Mean", "mean"], ["Minimum", "min"], ["Maximum", "max"], ["Std. deviation", "std"]]) {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = label;
      const td1 = document.createElement("td");
      td1.textContent = fixed(t[key], 2);
      const td2 = document.createElement("td");
      td2.textContent = h ? fixed(h[key], 2) : "–";
      tr.append(th, td1, td2);
      ui.statsBody.appendChild(tr);
    }

    const cols = r.columns || {}, units = r.units || {};
    const pairs = [
      ["Date", Array.isArray(cols.date) && cols.date.length ? cols.date.join(", ") : "none"],
      ["Temperature", cols.temperature],
      ["Humidity", cols.humidity || "none"],
    ];
    if (cols.sheet) pairs.push(["Sheet", cols.sheet]);
    pairs.push(["Temperature unit", units.temperature ? `${unitName(units.temperature)}${units.temperature_assumed ? " (assumed)" : ""}` : ""]);
    if (cols.humidity) pairs.push(["Humidity unit", { fraction: "fraction 0–1 (shown in %)", percent: "%" }[units.humidity] || units.humidity]);
    if (res) pairs.push(["Time series", `${(r.time_series_data || []).length} points, ${describeResolution(res)}`]);
    dl(ui.columns, pairs);

    const rows = r.rows || {};
    const rowPairs = [["Read", fmtInt(rows.read)], ["Used", fmtInt(rows.used)]];
    for (const [reason, n] of Object.entries(rows.dropped || {})) {
      if (n) rowPairs.push([`Dropped: ${reason.replace(/_/g, " ")}`, fmtInt(n)]);
    }
    dl(ui.rows, rowPairs);

    ui.warningsList.replaceChildren();
    for (const w of r.warnings || []) {
      const li = document.createElement("li");
      const code = document.createElement("code");
      code.textContent = w.code || "WARNING";
      li.append(code, document.createTextNode(w.message || ""));
      ui.warningsList.appendChild(li);
    }
    ui.warnings.hidden = !(r.warnings && r.warnings.length);
  }

  function fmtInt(n) { return Number.isFinite(n) ? intFmt.format(n) : "–"; }
  function unitName(u) { return { C: "°C", F: "°F (converted)", K: "K (converted)", "0.1C": "tenths of °C (converted)" }[u] || u; }
  function describeResolution(res) {
    const m = /^(\d*)\s*(min|T|h|H|D|W|MS|M|YS|Y|AS|A)$/.exec(String(res));
    if (!m) return res;
    const n = Number(m[1] || 1);
    const unit = { min: "minute", T: "minute", h: "hour", H: "hour", D: "day", W: "week", MS: "month", M: "month", YS: "year", Y: "year", AS: "year", A: "year" }[m[2]];
    if (unit === "day" && n === 7) return "week";
    return n === 1 ? unit : `${n} ${unit}s`;
  }

  /* ---------- chart ---------- */

  const chart = window.WeatherChart.create(ui.chart, {
    onViewChange: ({ zoomed, label }) => {
      ui.chartReset.disabled = !zoomed;
      ui.chartRange.textContent = label;
    },
    onFocusPoint: (text) => setStatusLine(text),
  });
  ui.chartReset.addEventListener("click", () => chart.reset());

  /* ---------- recent jobs ---------- */

  function jobItems(body) {
    if (Array.isArray(body)) return body;
    if (!body || typeof body !== "object") return [];
    for (const key of ["jobs", "items", "job_statuses", "results", "data"]) {
      if (Array.isArray(body[key])) return body[key];
    }
    return [];
  }
  function nextCursor(body) {
    if (!body || typeof body !== "object" || Array.isArray(body)) return null;
    return body.next_cursor || body.cursor || body.next || null;
  }

  let jobsLoading = 0;
  async function loadJobs(reset) {
    const token = ++jobsLoading;
    const params = new URLSearchParams({ limit: "20" });
    if (ui.jobsFilter.value) params.set("status", ui.jobsFilter.value);
    if (!reset && state.cursor) params.set("cursor", state.cursor);
    ui.jobsRefresh.setAttribute("aria-busy", "true");
    let res;
    try {
      res = await request("GET", `/job-statuses/?${params}`);
    } catch (err) {
      if (token !== jobsLoading) return;
      ui.jobsError.textContent = err.message;
      ui.jobsError.hidden = false;
      ui.jobsRefresh.removeAttribute("aria-busy");
      return;
    }
    if (token !== jobsLoading) return;
    ui.jobsRefresh.removeAttribute("aria-busy");
    if (res.status !== 200) {
      const err = errorOf(res.body, `HTTP_${res.status}`, `Could not load the jobs (HTTP ${res.status}).`);
      ui.jobsError.textContent = `${err.message} (${err.code})`;
      ui.jobsError.hidden = false;
      return;
    }
    ui.jobsError.hidden = true;
    if (reset) { ui.jobsList.replaceChildren(); state.jobs.clear(); }
    for (const job of jobItems(res.body)) {
      if (!job || !job.job_id || state.jobs.has(job.job_id)) continue;
      state.jobs.set(job.job_id, job);
      ui.jobsList.appendChild(jobRow(job));
    }
    state.cursor = nextCursor(res.body);
    ui.jobsMore.hidden = !state.cursor;
    ui.jobsEmpty.hidden = state.jobs.size > 0;
    ui.jobsEmpty.textContent = ui.jobsFilter.value ? "No jobs with this status." : "No jobs yet. Upload a file to start.";
  }

  /** Bring the first page up to date without losing the pages loaded with "More". */
  async function refreshJobs() {
    if (ui.dialog.open) return;
    if (state.jobs.size === 0) { await loadJobs(true); return; }
    const params = new URLSearchParams({ limit: "20" });
    if (ui.jobsFilter.value) params.set("status", ui.jobsFilter.value);
    let res;
    try { res = await request("GET", `/job-statuses/?${params}`); } catch (err) { return; }
    if (res.status !== 200) return;
    let anchor = ui.jobsList.firstElementChild;
    for (const job of jobItems(res.body)) {
      if (!job || !job.job_id) continue;
      const fresh = jobRow(job);
      const old = ui.jobsList.querySelector(`li[data-job-id="${CSS.escape(job.job_id)}"]`);
      if (old) {
        if (old.contains(document.activeElement)) { anchor = old.nextElementSibling; continue; }
        old.replaceWith(fresh);
      } else {
        ui.jobsList.insertBefore(fresh, anchor);
      }
      anchor = fresh.nextElementSibling;
      state.jobs.set(job.job_id, job);
    }
    ui.jobsEmpty.hidden = state.jobs.size > 0;
  }

  function jobRow(job) {
    const li = document.createElement("li");
    li.className = "job";
    li.dataset.jobId = job.job_id;
    li.classList.toggle("current", job.job_id === state.currentJob);
    const name = job.filename || state.names.get(job.job_id) || shortId(job.job_id);

    const open = document.createElement("button");
    open.type = "button";
    open.className = "job-open";
    open.title = job.job_id;
    const title = document.createElement("span");
    title.className = "job-name";
    title.textContent = name;
    const sub = document.createElement("span");
    sub.className = "job-sub";
    const badge = document.createElement("span");
    badge.className = `badge ${job.status || ""}`;
    badge.textContent = job.status || "UNKNOWN";
    const when = document.createElement("span");
    const stamp = job.created_at || job.updated_at || job.submitted_at;
    when.textContent = [ago(stamp), job.size ? bytes(job.size) : ""].filter(Boolean).join(" · ");
    if (stamp) when.title = utcStamp(stamp);
    sub.append(badge, when);
    open.append(title, sub);
    open.setAttribute("aria-label", `Open ${name}, ${job.status || "unknown status"}${stamp ? `, ${ago(stamp)}` : ""}`);
    open.addEventListener("click", () => { openJob(job.job_id); ui.result.scrollIntoView({ behavior: "smooth", block: "start" }); });

    const del = document.createElement("button");
    del.type = "button";
    del.className = "job-delete";
    del.setAttribute("aria-label", `Delete ${name}`);
    del.title = "Delete";
    del.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 7h16M10 11v6M14 11v6M6 7l1 12a2 2 0 0 0 2 2h6a2 2 0 0 0 2-2l1-12M9 7V4h6v3" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/></svg>';
    del.addEventListener("click", () => confirmDelete(job.job_id, name, del));
    li.append(open, del);
    return li;
  }

  function updateJobBadge(jobId, status) {
    const li = ui.jobsList.querySelector(`li[data-job-id="${CSS.escape(jobId)}"]`);
    if (!li) { if (TERMINAL.has(status)) refreshJobs(); return; }
    const badge = li.querySelector(".badge");
    if (badge.textContent !== status) {
      badge.className = `badge ${status}`;
      badge.textContent = status;
      const job = state.jobs.get(jobId);
      if (job) job.status = status;
    }
  }

  function confirmDelete(jobId, name, returnFocus) {
    ui.dialogText.textContent = `“${name}”: the uploaded file, its result and the cached copy are removed. This cannot be undone.`;
    ui.dialog.returnValue = "";
    ui.dialog.onclose = async () => {
      if (ui.dialog.returnValue !== "delete") { returnFocus.focus(); return; }
      let res;
      try {
        res = await request("DELETE", `/delete/${encodeURIComponent(jobId)}/`);
      } catch (err) {
        ui.jobsError.textContent = err.message;
        ui.jobsError.hidden = false;
        return;
      }
      if (res.status >= 200 && res.status < 300) {
        const li = ui.jobsList.querySelector(`li[data-job-id="${CSS.escape(jobId)}"]`);
        const next = li && (li.nextElementSibling || li.previousElementSibling);
        if (li) li.remove();
        state.jobs.delete(jobId);
        ui.jobsEmpty.hidden = state.jobs.size > 0;
        ui.jobsError.hidden = true;
        if (state.currentJob === jobId) {
          state.track++;
          state.currentJob = null;
          ui.result.hidden = true;
          ui.uploadState.hidden = true;
          clearError();
          history.replaceState(null, "", location.pathname);
        }
        setStatusLine(`Deleted ${name}.`);
        (next ? next.querySelector(".job-open") : ui.choose).focus();
      } else {
        const err = errorOf(res.body, `HTTP_${res.status}`, `Could not delete the job (HTTP ${res.status}).`);
        ui.jobsError.textContent = `${err.message} (${err.code})`;
        ui.jobsError.hidden = false;
      }
    };
    ui.dialog.showModal();
  }

  ui.jobsFilter.addEventListener("change", () => loadJobs(true));
  ui.jobsRefresh.addEventListener("click", () => loadJobs(true));
  ui.jobsMore.addEventListener("click", () => loadJobs(false));

  /* ---------- file picking ---------- */

  ui.choose.addEventListener("click", (e) => { e.stopPropagation(); ui.fileInput.click(); });
  ui.dropzone.addEventListener("click", (e) => { if (e.target !== ui.fileInput) ui.fileInput.click(); });
  ui.fileInput.addEventListener("change", () => {
    const file = ui.fileInput.files && ui.fileInput.files[0];
    if (file) upload(file);
    ui.fileInput.value = "";
  });
  for (const type of ["dragenter", "dragover"]) {
    ui.dropzone.addEventListener(type, (e) => { e.preventDefault(); ui.dropzone.classList.add("dragover"); });
  }
  for (const type of ["dragleave", "dragend"]) {
    ui.dropzone.addEventListener(type, () => ui.dropzone.classList.remove("dragover"));
  }
  ui.dropzone.addEventListener("drop", (e) => {
    e.preventDefault();
    ui.dropzone.classList.remove("dragover");
    const files = e.dataTransfer && e.dataTransfer.files;
    if (files && files.length) {
      upload(files[0]);
      if (files.length > 1) setStatusLine(`Only one file at a time: uploading “${files[0].name}”.`);
    }
  });
  // A file dropped beside the drop zone must not make the browser navigate away.
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => e.preventDefault());

  /* ---------- start ---------- */

  function jobFromHash() {
    const m = /^#job=([^&]+)$/.exec(location.hash);
    return m ? decodeURIComponent(m[1]) : null;
  }
  window.addEventListener("hashchange", () => { const id = jobFromHash(); if (id && id !== state.currentJob) openJob(id); });
  loadJobs(true);
  const initial = jobFromHash();
  if (initial) openJob(initial);
  // Keep relative times and running jobs fresh while the page is visible.
  setInterval(() => {
    if (document.visibilityState !== "visible") return;
    const active = [...state.jobs.values()].some((j) => !TERMINAL.has(j.status));
    if (active || ui.jobsList.children.length === 0) refreshJobs();
  }, 20000);
})();

// 台账导出: follows the jobs still queued or running on /exports by polling
// GET /api/v1/exports/{id}, updating status and progress, and adding the 下载 link when done.
(function () {
  "use strict";
  var INTERVAL_MS = 1500;

  function pendingRows() {
    return Array.prototype.slice.call(
      document.querySelectorAll('#export-jobs tr[data-pending="true"]'));
  }

  function update(row, job) {
    row.setAttribute("data-status", job.status);
    var status = row.querySelector(".export-status");
    if (status) {
      status.textContent = job.status_label;
      status.className = "tag export-status " +
        (job.status === "done" ? "ok" : job.status === "failed" ? "bad" : "warn");
    }
    var bar = row.querySelector(".export-progress");
    if (bar) { bar.value = job.progress; bar.textContent = job.progress + "%"; }
    var pct = row.querySelector(".export-pct");
    if (pct) { pct.textContent = job.progress + "%"; }
    if (job.status === "done" || job.status === "failed") {
      row.removeAttribute("data-pending");
    }
    if (job.status === "done" && job.download_url) {
      var cell = row.querySelector(".export-action");
      if (cell && !cell.querySelector("a")) {
        var a = document.createElement("a");
        a.className = "btn-secondary export-download";
        a.href = job.download_url;
        a.textContent = "下载";
        cell.appendChild(a);
      }
      var rows = row.querySelector(".export-rows");
      if (rows) {
        var kb = (job.file_size || 0) / 1024;
        var size = kb >= 1024 ? (kb / 1024).toFixed(1) + " MB" : kb.toFixed(1) + " KB";
        rows.textContent = row.getAttribute("data-report") === "true"
          ? size : job.rows_written + " 行 · " + size;
      }
    }
    if (job.status === "failed" && job.error_message && !row.querySelector(".export-error")) {
      var err = document.createElement("div");
      err.className = "field-error export-error";
      err.textContent = job.error_message;
      if (status && status.parentNode) { status.parentNode.appendChild(err); }
    }
  }

  function poll() {
    var rows = pendingRows();
    if (rows.length === 0) { return; }
    Promise.all(rows.map(function (row) {
      var id = row.getAttribute("data-export-id");
      return fetch("/api/v1/exports/" + encodeURIComponent(id), {
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (r) {
        if (!r.ok) { throw new Error("status " + r.status); }
        return r.json();
      }).then(function (job) { update(row, job); })
        .catch(function () { /* try again next round */ });
    })).then(function () {
      if (pendingRows().length > 0) { window.setTimeout(poll, INTERVAL_MS); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", poll);
  } else {
    poll();
  }
}());

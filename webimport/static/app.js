// The little JavaScript of the import screen; every page works without it.
"use strict";

// Upload: refuse a file over the size limit before sending it.
document.querySelectorAll("form.upload[data-max]").forEach(function (form) {
  var input = form.querySelector("input[type=file]");
  var msg = document.getElementById("size-error");
  var max = Number(form.dataset.max);
  function check() {
    var f = input.files && input.files[0];
    var tooBig = !!f && f.size > max;
    msg.classList.toggle("hidden", !tooBig);
    return !tooBig;
  }
  input.addEventListener("change", check);
  form.addEventListener("submit", function (e) { if (!check()) e.preventDefault(); });
});

// Import: live progress from server-sent events (or polling), then reload
// to show the report.
var progress = document.getElementById("progress");
if (progress) {
  var bar = document.getElementById("bar");
  var show = function (st) {
    bar.value = st.percent;
    progress.querySelectorAll("[data-k]").forEach(function (el) {
      var v = st[el.dataset.k];
      if (v !== undefined) el.textContent = v;
    });
    if (st.done) location.reload();
  };
  if (window.EventSource) {
    var es = new EventSource(progress.dataset.events);
    es.addEventListener("progress", function (e) { show(JSON.parse(e.data)); });
    es.addEventListener("done", function (e) { es.close(); show(JSON.parse(e.data)); });
  } else {
    var poll = function () {
      fetch(progress.dataset.poll, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (st) { show(st); if (!st.done) setTimeout(poll, 1000); });
    };
    poll();
  }
}

// Print batch page: poll the batch API for progress until the batch is done or failed.
(function () {
  "use strict";
  var box = document.getElementById("batch");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var state = box.getAttribute("data-state");
  if (state === "done" || state === "failed") return;
  var bar = document.getElementById("batch-progress");
  var count = document.getElementById("batch-count");
  var delay = 1000;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (batch) {
        if (bar) { bar.value = batch.progress; bar.textContent = batch.progress + "%"; }
        if (count) { count.textContent = batch.done_count + " / " + batch.total; }
        if (batch.state === "done" || batch.state === "failed") {
          window.location.reload();
          return;
        }
        delay = Math.min(delay * 1.3, 5000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, delay);
})();

/* The stocktake scan page (no inline script: the CSP forbids it).
   Camera: the browser's BarcodeDetector when present, else the vendored jsQR on video frames.
   Keyboard-wedge scanners type into #scan-code and press Enter.
   Offline: scans carry a client key and time, wait in localStorage and are sent as a batch;
   the server applies each once, so a resend is harmless. */
(function () {
  "use strict";
  var app = document.getElementById("scan-app");
  if (!app) { return; }
  var form = document.getElementById("scan-form");
  var input = document.getElementById("scan-code");
  var locationSelect = document.getElementById("scan-location");
  var resultBox = document.getElementById("scan-result");
  var answerEl = document.getElementById("scan-answer");
  var messageEl = document.getElementById("scan-message");
  var queueState = document.getElementById("queue-state");
  var componentsBox = document.getElementById("components");
  var componentList = document.getElementById("component-list");
  var pendingList = document.getElementById("pending-list");
  var video = document.getElementById("camera");
  var canvas = document.getElementById("camera-canvas");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var storeKey = "yika-scan-queue-" + app.dataset.campaign;
  var lastCode = "", lastAt = 0, stream = null, detector = null;

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = new Uint8Array(16); crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function queue() { try { return JSON.parse(localStorage.getItem(storeKey) || "[]"); } catch (e) { return []; } }
  function saveQueue(items) {
    localStorage.setItem(storeKey, JSON.stringify(items));
    queueState.textContent = items.length ? app.dataset.msgQueued + ": " + items.length : "";
  }
  function feedback(ok) {
    if (navigator.vibrate) { navigator.vibrate(ok ? 80 : [60, 60, 60]); }
    try {
      var ctx = new (window.AudioContext || window.webkitAudioContext)();
      var osc = ctx.createOscillator(); osc.frequency.value = ok ? 880 : 220;
      osc.connect(ctx.destination); osc.start(); osc.stop(ctx.currentTime + 0.15);
    } catch (e) { /* no sound */ }
  }
  // `reason` refines an answer whose word alone would mislead (a retired card is not simply
  // "not in your scope"; a counted card scanned by its replaced label needs the label removed).
  function show(kind, message, reason) {
    resultBox.hidden = false;
    resultBox.className = "scan__result scan__result--" + kind + (reason ? " scan__result--" + reason : "");
    answerEl.textContent = (reason && app.getAttribute("data-reason-" + kind + "-" + reason))
      || app.getAttribute("data-label-" + kind) || app.dataset.msgQueued;
    messageEl.textContent = message || "";
    feedback(kind === "found");
  }
  function text(tag, value) { var el = document.createElement(tag); el.textContent = value; return el; }
  function showComponents(items) {
    componentList.textContent = "";
    componentsBox.hidden = !items || !items.length;
    (items || []).forEach(function (item) {
      var li = document.createElement("li");
      li.appendChild(text("strong", item.tag));
      li.appendChild(text("span", item.name + " " + item.model));
      li.appendChild(text("span", "SN " + (item.serial_number || "—")));
      li.appendChild(text("span", app.getAttribute("data-result-" + item.result) || item.result));
      if (item.result === "awaiting") {
        var button = text("button", app.dataset.msgConfirm);
        button.type = "button"; button.className = "btn btn--small";
        button.addEventListener("click", function () { confirmSerial(item.tag); });
        li.appendChild(button);
      }
      componentList.appendChild(li);
    });
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(body)
    });
  }
  function confirmSerial(tag) {
    var serial = window.prompt(app.dataset.msgSerial);
    if (!serial) { return; }
    post(app.dataset.confirmUrl, { tag: tag, method: "sn_match", serial_number: serial })
      .then(function (r) { return r.json().then(function (d) { return [r.ok, d]; }); })
      .then(function (res) {
        if (res[0]) { show("found", tag); } else { show("error", firstError(res[1])); }
      });
  }
  function firstError(data) {
    if (!data) { return app.dataset.msgError; }
    if (data.detail) { return data.detail; }
    for (var key in data) { if (Array.isArray(data[key])) { return data[key][0]; } }
    return app.dataset.msgError;
  }
  // The server answers a batch of at most this many scans (YIKA_STOCKTAKE_SCAN_BATCH_MAX); a longer
  // queue goes in parts, one after the other.
  var batchMax = parseInt(app.dataset.batchMax, 10) || 100;
  function flush() {
    var items = queue();
    if (!items.length || !navigator.onLine) { saveQueue(items); return; }
    var batch = items.slice(0, batchMax);
    post(app.dataset.scansUrl, batch).then(function (r) {
      if (r.status >= 500 || r.status === 0) { throw new Error("server"); }
      if (!r.ok) {
        // Refused as a whole (400/403/409): say why on the page; the queue stays to send again.
        return r.json().catch(function () { return null; }).then(function (data) {
          saveQueue(items); show("error", firstError(data));
        });
      }
      return r.json().then(function (answers) {
        // Entries with field errors will never succeed: drop them with the rest of the part sent;
        // scans queued meanwhile and later parts stay, and the next part goes at once.
        var rest = queue().slice(batch.length); saveQueue(rest);
        if (rest.length) { window.setTimeout(flush, 0); }
        if (Array.isArray(answers) && answers.length) {
          var last = answers[answers.length - 1];
          show(last.answer || "error", last.message || firstError(last.errors), last.reason);
        }
        loadPending();
      });
    }).catch(function () { saveQueue(items); });
  }
  function record(code) {
    code = (code || "").trim();
    if (!code) {
      // Enter on an empty field sends nothing: say so, rather than leave the last answer up.
      showComponents([]);
      show("empty", app.dataset.msgEmpty);
      return;
    }
    var entry = { code: code, client_key: uuid(), scanned_at: new Date().toISOString() };
    if (locationSelect.value) { entry.location = locationSelect.value; }
    if (!navigator.onLine) {
      var items = queue(); items.push(entry); saveQueue(items);
      show("queued", app.dataset.msgOffline);
      return;
    }
    post(app.dataset.scansUrl, entry).then(function (r) {
      // A refusal with no JSON body (a proxy's page) still gets a sentence on the screen.
      return r.json().catch(function () { return null; }).then(function (data) {
        if (r.ok) {
          show(data.answer, data.message, data.reason);
          showComponents(data.components);
          loadPending();
        } else {
          showComponents([]);
          show(r.status === 400 && data && data.code ? "invalid" : "error", firstError(data));
          input.focus();
        }
      });
    }).catch(function () {
      var items = queue(); items.push(entry); saveQueue(items);
      show("queued", app.dataset.msgOffline);
    });
  }
  function pendingNote(message) {
    pendingList.textContent = "";
    var li = text("li", message); li.className = "muted"; pendingList.appendChild(li);
  }
  // "Still pending here" is the chosen place's cards only: without a place there is no "here".
  function loadPending() {
    if (!locationSelect.value) { pendingNote(app.dataset.msgChoosePlace); return; }
    var url = app.dataset.linesUrl + "?result=pending&page_size=30";
    url += "&location=" + encodeURIComponent(locationSelect.value);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (data) {
        pendingList.textContent = "";
        if (!(data.results || []).length) { pendingNote(app.dataset.msgNothingPending); }
        (data.results || []).forEach(function (line) {
          var li = document.createElement("li");
          li.appendChild(text("strong", line.tag));
          li.appendChild(text("span", line.name + (line.custodian ? " · " + line.custodian : "")));
          pendingList.appendChild(li);
        });
      }).catch(function () { /* offline */ });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    record(input.value);
    input.value = "";
    input.focus();
  });
  locationSelect.addEventListener("change", loadPending);
  // The place list narrowed as one types: rebuilt from the full list (a hidden <option> is not
  // hidden in every phone's picker), the groups kept.
  var placeFilter = document.getElementById("scan-location-filter");
  var allPlaces = Array.prototype.map.call(locationSelect.querySelectorAll("optgroup"), function (g) {
    return { label: g.label, options: Array.prototype.map.call(g.children, function (o) { return [o.value, o.textContent]; }) };
  });
  if (placeFilter) {
    placeFilter.addEventListener("input", function () {
      var wanted = placeFilter.value.trim().toLowerCase(), chosen = locationSelect.value, first = null;
      Array.prototype.forEach.call(locationSelect.querySelectorAll("optgroup"), function (g) { g.remove(); });
      allPlaces.forEach(function (group) {
        var shown = group.options.filter(function (o) {
          return !wanted || (o[0] + " " + o[1] + " " + group.label).toLowerCase().indexOf(wanted) >= 0;
        });
        if (!shown.length) { return; }
        var g = document.createElement("optgroup"); g.label = group.label;
        shown.forEach(function (o) {
          var option = text("option", o[1]); option.value = o[0]; g.appendChild(option);
          if (first === null) { first = o[0]; }
        });
        locationSelect.appendChild(g);
      });
      var keep = chosen && Array.prototype.some.call(locationSelect.options, function (o) { return o.value === chosen; });
      locationSelect.value = keep ? chosen : (wanted && first !== null ? first : "");
      loadPending();
    });
    // Typed before this script ran (a slow phone) or restored by the browser: apply it now.
    if (placeFilter.value) { placeFilter.dispatchEvent(new Event("input")); }
  }
  window.addEventListener("online", flush);

  function onCode(code) {
    var now = Date.now();
    if (code === lastCode && now - lastAt < 3000) { return; }
    lastCode = code; lastAt = now;
    record(code);
  }
  function tick() {
    if (!stream) { return; }
    if (video.readyState >= 2) {
      if (detector) {
        detector.detect(video).then(function (codes) {
          if (codes.length) { onCode(codes[0].rawValue); }
        }).catch(function () { /* keep trying */ });
      } else if (window.jsQR) {
        canvas.width = video.videoWidth; canvas.height = video.videoHeight;
        var ctx = canvas.getContext("2d");
        ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = ctx.getImageData(0, 0, canvas.width, canvas.height);
        var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        if (found && found.data) { onCode(found.data); }
      }
    }
    setTimeout(function () { requestAnimationFrame(tick); }, 200);
  }
  document.getElementById("camera-toggle").addEventListener("click", function () {
    if (stream) {
      stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null; video.hidden = true; return;
    }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      show("error", app.dataset.msgNocamera); return;
    }
    if ("BarcodeDetector" in window) {
      try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) { detector = null; }
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
      stream = s; video.srcObject = s; video.hidden = false; video.play(); tick();
    }).catch(function () { show("error", app.dataset.msgNocamera); });
  });
  saveQueue(queue());
  flush();
  loadPending();
})();

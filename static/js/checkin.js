// Door check-in, enhanced. Without this script the page works the same: Search and Show buttons, plain forms.
// With it: results follow the typing; a tap checks in without reloading (the same form, posted with fetch and
// its CSRF token; the server answers JSON), then the box is cleared and focused and the day's count goes up;
// a badge's QR code can be scanned with the phone's camera (jsQR, loaded from our own static files on demand).
(function () {
  "use strict";
  var page = document.querySelector(".checkin");
  var form = document.querySelector("form.checkin-search");
  var results = document.getElementById("checkin-results");
  var found = document.getElementById("checkin-found");
  var tally = document.getElementById("checkin-tally");
  var message = document.getElementById("checkin-message");
  if (!page || !form || !results || !found || !window.fetch || !window.DOMParser) return;
  var input = form.querySelector("input[name=q]");
  var day = form.querySelector("input[name=day]").value;
  var csrf = page.querySelector("input[name=csrf_token]");
  var timer = null;
  var latest = 0;

  function say(text, ok) {
    message.textContent = text;
    message.className = "checkin-message flash " + (ok ? "flash-success" : "flash-error");
  }

  function refresh() {
    var query = new URLSearchParams(new FormData(form)).toString();
    var url = window.location.pathname + "?" + query;
    var ticket = ++latest;
    return fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        if (ticket !== latest) return; // a later keystroke has its own request
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var freshResults = fresh.getElementById("checkin-results");
        var freshFound = fresh.getElementById("checkin-found");
        if (!freshResults || !freshFound) return;
        if (freshResults.innerHTML !== results.innerHTML) results.innerHTML = freshResults.innerHTML;
        if (freshFound.textContent !== found.textContent) found.textContent = freshFound.textContent;
        window.history.replaceState(null, "", url);
      })
      .catch(function () { /* the Search button still works */ });
  }

  // Post a form (or fields) the way the browser would, asking for JSON; resolves to the server's answer.
  function post(url, body) {
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) return { ok: false, message: page.dataset.failed };
      return response.json();
    }, function () { return { ok: false, message: page.dataset.failed }; });
  }

  function answered(answer) {
    say(answer.message, answer.ok);
    if (answer.ok && answer.tally) tally.textContent = answer.tally;
    return answer;
  }

  function ready() {
    input.value = "";
    input.focus();
    return refresh();
  }

  // Check-in and undo buttons (also those the search puts in later), and the walk-in form.
  document.addEventListener("submit", function (event) {
    var target = event.target;
    var walkIn = target.classList.contains("walk-in-form");
    if (!target.classList.contains("checkin-action") && !walkIn) return;
    event.preventDefault();
    var button = target.querySelector("button[type=submit]");
    if (button.disabled) return; // a double tap sends one request
    button.disabled = true;
    post(target.action, new FormData(target)).then(answered).then(function (answer) {
      button.disabled = false;
      if (!answer.ok) return;
      if (walkIn) target.reset();
      if (walkIn || !target.querySelector("input[name=q]")) return ready();
      return refresh(); // an undo among search results: the search stays
    });
  });

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 300);
  });
  document.querySelectorAll(".day-form input[name=day]").forEach(function (radio) {
    radio.addEventListener("change", function () { radio.form.submit(); });
  });

  // Badges: the text of a QR code goes to the badge endpoint, which checks the code and the person in.
  var lastCode = null;
  var lastCodeAt = 0;

  function submitBadge(token) {
    var body = new FormData();
    body.append("csrf_token", csrf ? csrf.value : "");
    body.append("day", day);
    body.append("token", token);
    return post(page.dataset.badgeUrl, body).then(answered).then(function (answer) {
      if (!answer.ok) return answer;
      if (stream) { // scanning: keep the phone's keyboard closed
        input.value = "";
        refresh();
      } else {
        ready();
      }
      return answer;
    });
  }

  function loadDecoder() {
    if (window.jsQR) return Promise.resolve(window.jsQR);
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = page.dataset.scannerUrl;
      script.onload = function () { resolve(window.jsQR); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  // The text of the QR code in an image, video frame or canvas, or null if none is found.
  function decode(source, width, height) {
    var canvas = document.createElement("canvas");
    canvas.width = width || source.naturalWidth || source.videoWidth || source.width;
    canvas.height = height || source.naturalHeight || source.videoHeight || source.height;
    var context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    var pixels = context.getImageData(0, 0, canvas.width, canvas.height);
    var code = window.jsQR(pixels.data, canvas.width, canvas.height, { inversionAttempts: "dontInvert" });
    return code ? code.data : null;
  }

  function scanImage(source) {
    return loadDecoder().then(function () {
      var text = decode(source);
      if (text === null) return answered({ ok: false, message: page.dataset.notACode });
      return submitBadge(text);
    });
  }

  window.forumCheckin = { decode: decode, loadDecoder: loadDecoder, scanImage: scanImage, submitBadge: submitBadge };

  var scanner = page.querySelector(".scanner");
  var media = navigator.mediaDevices;
  if (!scanner || !media || !media.getUserMedia) return;
  var start = scanner.querySelector(".scan-start");
  var stop = scanner.querySelector(".scan-stop");
  var view = document.getElementById("scanner-view");
  var video = view.querySelector("video");
  var stream = null;
  scanner.hidden = false;

  function close() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    view.hidden = true;
    start.setAttribute("aria-expanded", "false");
  }

  function look() {
    if (!stream) return;
    if (video.readyState >= 2 && video.videoWidth) {
      var scale = Math.min(1, 640 / video.videoWidth); // a smaller frame decodes faster on a phone
      var text = decode(video, Math.round(video.videoWidth * scale), Math.round(video.videoHeight * scale));
      var now = Date.now();
      if (text !== null && (text !== lastCode || now - lastCodeAt > 5000)) { // the same badge held up: once
        lastCode = text;
        lastCodeAt = now;
        submitBadge(text);
      }
    }
    window.setTimeout(function () { window.requestAnimationFrame(look); }, 150);
  }

  start.addEventListener("click", function () {
    if (stream) { close(); return; }
    Promise.all([loadDecoder(), media.getUserMedia({ video: { facingMode: "environment" }, audio: false })])
      .then(function (opened) {
        stream = opened[1];
        video.srcObject = stream;
        view.hidden = false;
        start.setAttribute("aria-expanded", "true");
        return video.play();
      })
      .then(look)
      .catch(function () { close(); say(page.dataset.noCamera, false); });
  });
  stop.addEventListener("click", function () { close(); start.focus(); });
})();

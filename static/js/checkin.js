// Door check-in, enhanced: the results follow the typing, and choosing a day shows it at once.
// Without this script the page works the same with its Search and Show buttons.
(function () {
  "use strict";
  var form = document.querySelector("form.checkin-search");
  var results = document.getElementById("checkin-results");
  var found = document.getElementById("checkin-found");
  if (!form || !results || !found || !window.fetch || !window.DOMParser) return;
  var input = form.querySelector("input[name=q]");
  var timer = null;
  var latest = 0;

  function refresh() {
    var query = new URLSearchParams(new FormData(form)).toString();
    var url = window.location.pathname + "?" + query;
    var ticket = ++latest;
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        if (ticket !== latest) return; // a later keystroke has its own request
        var page = new DOMParser().parseFromString(html, "text/html");
        var freshResults = page.getElementById("checkin-results");
        var freshFound = page.getElementById("checkin-found");
        if (!freshResults || !freshFound) return;
        if (freshResults.innerHTML !== results.innerHTML) results.innerHTML = freshResults.innerHTML;
        if (freshFound.textContent !== found.textContent) found.textContent = freshFound.textContent;
        window.history.replaceState(null, "", url);
      })
      .catch(function () { /* the Search button still works */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 300);
  });
  document.querySelectorAll(".day-form input[name=day]").forEach(function (radio) {
    radio.addEventListener("change", function () { radio.form.submit(); });
  });
})();

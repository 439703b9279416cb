// The site's menu on narrow screens: folded behind a Menu button (aria-expanded), opened and closed by a tap,
// Enter or Space, and closed by Escape. Without this script the button stays hidden and the menu is shown.
(function () {
  "use strict";
  var toggle = document.querySelector(".menu-toggle");
  var menu = document.getElementById("site-menu");
  if (!toggle || !menu) return;
  function setOpen(open) { toggle.setAttribute("aria-expanded", open ? "true" : "false"); }
  toggle.hidden = false;
  setOpen(false);
  toggle.addEventListener("click", function () { setOpen(toggle.getAttribute("aria-expanded") !== "true"); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      toggle.focus();
    }
  });
})();

/*
 * Follows the phone's or computer's light or dark setting (prefers-color-scheme) with Bootstrap 5.3's colour
 * modes. Loaded in <head> without defer, so the page is painted in the right mode from the start.
 */
(function () {
  "use strict";
  var query = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  function apply() {
    document.documentElement.setAttribute("data-bs-theme", query && query.matches ? "dark" : "light");
  }
  apply();
  if (query && query.addEventListener) query.addEventListener("change", apply);
})();

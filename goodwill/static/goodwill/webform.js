/* In an embedded web form: tell the embedding page how tall the form is, so its iframe fits. */
(function () {
  "use strict";
  if (window.parent === window) return;
  var slug = document.body.getAttribute("data-form");
  function report() {
    // Only a height goes out, so any embedding page may read it; the embed script checks our origin.
    window.parent.postMessage({ goodwillForm: slug, height: document.documentElement.scrollHeight }, "*");
  }
  window.addEventListener("load", report);
  if (window.ResizeObserver) new ResizeObserver(report).observe(document.body);
  var errors = document.getElementById("form-errors");
  if (errors) errors.focus();
})();

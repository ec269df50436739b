/* Goodwill web form "{{ slug|escapejs }}": put this script where the form should appear. */
(function () {
  "use strict";
  var slug = "{{ slug|escapejs }}";
  var origin = "{{ origin|escapejs }}";
  var script = document.currentScript;
  var frame = document.createElement("iframe");
  frame.src = "{{ src|escapejs }}";
  frame.title = "{{ title|escapejs }}";
  frame.loading = "lazy";
  frame.style.width = "100%";
  frame.style.minHeight = "480px";
  frame.style.border = "0";
  frame.setAttribute("data-goodwill-form", slug);
  var target = document.querySelector('[data-goodwill-form-target="' + slug + '"]');
  if (target) { target.appendChild(frame); }
  else if (script && script.parentNode) { script.parentNode.insertBefore(frame, script.nextSibling); }
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    var data = event.data || {};
    if (data.goodwillForm === slug && typeof data.height === "number" && data.height > 0) {
      frame.style.height = Math.min(Math.ceil(data.height) + 2, 5000) + "px";
    }
  });
})();

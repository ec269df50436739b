/* "Remember this": select words in a message, click the button that appears, then "Save fact".
   Fills the sidebar's add-a-fact form (text, source message, suggested category and date).
   Without scripts the same form is there to fill by hand. */
(function () {
  "use strict";
  var form = document.getElementById("fact-form");
  if (!form || form.getAttribute("data-remember-ready")) return;
  form.setAttribute("data-remember-ready", "1");
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button small remember-this";
  button.textContent = "Remember this";
  button.hidden = true;
  document.body.appendChild(button);
  var picked = null;

  function messageOf(node) {
    var element = node && (node.nodeType === 1 ? node : node.parentElement);
    var body = element && element.closest(".msg-body, .msg-full");
    var item = body && body.closest("li[id^='m']");
    return item ? item.id.slice(1) : null;
  }

  function update() {
    var selection = window.getSelection();
    var text = selection ? selection.toString().trim() : "";
    if (!text || selection.rangeCount === 0) { picked = null; button.hidden = true; return; }
    var range = selection.getRangeAt(0);
    var id = messageOf(range.startContainer);
    if (!id || id !== messageOf(range.endContainer)) { picked = null; button.hidden = true; return; }
    picked = { text: text.replace(/\s+/g, " ").slice(0, 500), message: id };
    var box = range.getBoundingClientRect();
    button.style.position = "absolute";
    button.style.left = Math.max(8, box.left + window.scrollX) + "px";
    button.style.top = (box.bottom + window.scrollY + 6) + "px";
    button.hidden = false;
  }

  var timer = null;
  document.addEventListener("selectionchange", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 120);
  });
  // Keep the selection when the button is pressed.
  button.addEventListener("mousedown", function (event) { event.preventDefault(); });
  button.addEventListener("click", function () {
    if (!picked) return;
    var chosen = picked;
    var details = document.getElementById("fact-add");
    if (details) details.open = true;
    document.getElementById("fact-text").value = chosen.text;
    document.getElementById("fact-message").value = chosen.message;
    button.hidden = true;
    var save = document.getElementById("fact-save");
    var url = form.getAttribute("data-suggest-url");
    var done = function () {
      form.setAttribute("data-suggested", "1");
      save.scrollIntoView({ block: "nearest" });
      save.focus();
    };
    if (!url) { done(); return; }
    fetch(url + "?text=" + encodeURIComponent(chosen.text), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : {}; })
      .then(function (answer) {
        if (answer.category) document.getElementById("fact-category").value = answer.category;
        if (answer.date) document.getElementById("fact-date").value = answer.date;
      })
      .catch(function () { /* the agent picks the category */ })
      .then(done);
  });
})();

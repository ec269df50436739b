/* Goodwill agent workspace: keyboard shortcuts, undo send, macros, confirmations.
 * Vanilla JS, no build step. Every feature also works without it (plain forms and links).
 *
 * Shortcuts: j/k move in the inbox, x selects, o (or Enter) opens, r reply, n note, a assign,
 * s solve, / search, ? shows them all.
 */
(function () {
  "use strict";

  var UNDO_SECONDS = 5;

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  function isTyping(target) {
    if (!target) return false;
    var tag = target.tagName;
    if (tag === "INPUT" && /^(checkbox|radio|button|submit|reset)$/.test(target.type)) return false;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  /* --- confirmations for destructive actions --------------------------------- */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (form.id === "bulk-form") {
      var action = $("#bulk-action", form);
      var button = $("[data-confirm-merge]", form);
      if (action && action.value === "merge" && button) question = button.getAttribute("data-confirm-merge");
    }
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  });

  /* --- selects that apply themselves (sort order) ------------------------------ */
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-autosubmit]")) {
      event.target.form.requestSubmit ? event.target.form.requestSubmit() : event.target.form.submit();
    }
  });

  /* --- bulk bar: show only the argument the chosen action needs ---------------- */
  function syncBulkBar() {
    var action = $("#bulk-action");
    if (!action) return;
    $all(".bulk-arg").forEach(function (label) {
      label.hidden = label.getAttribute("data-for") !== action.value;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.id === "bulk-action") syncBulkBar();
  });

  /* --- inbox: j/k selection that survives the list refreshing ------------------ */
  var current = null; // conversation number of the highlighted row

  function rows() { return $all("#inbox-list .conv-row"); }

  function highlight(row, focus) {
    rows().forEach(function (item) { item.classList.remove("is-current"); });
    if (!row) return;
    row.classList.add("is-current");
    current = row.getAttribute("data-number");
    var link = $(".conv-link", row);
    if (focus && link) link.focus();
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var list = rows();
    if (!list.length) return;
    var index = list.findIndex(function (row) { return row.getAttribute("data-number") === current; });
    var next = index === -1 ? 0 : Math.min(list.length - 1, Math.max(0, index + step));
    highlight(list[next], true);
  }

  document.addEventListener("focusin", function (event) {
    var row = event.target.closest && event.target.closest(".conv-row");
    if (row) highlight(row, false);
  });

  document.addEventListener("htmx:afterSwap", function () {
    if (!current) return;
    var row = $('#inbox-list .conv-row[data-number="' + current + '"]');
    if (row) highlight(row, false);
  });

  /* --- the properties panel: an edit is never lost to a refresh or to another edit ----------
   * The panel is saved and refreshed here, not by htmx attributes, because htmx wires up
   * swapped-in content only after its settle delay (a 20 ms timer, far longer on a busy
   * machine) and silently drops a request queued on an element that the previous answer
   * replaced: an edit made just after a save or a live refresh went nowhere, while the
   * field showed the new value. Here one document listener sees every edit whatever the
   * panel's age, one request runs at a time, and a save sends only the fields that differ
   * from what the server last showed (original_* in the form), so the server can tell when
   * someone else changed the same field meanwhile (it answers 409 with their value shown).
   * A live refresh waits while the agent is in the panel or has unsaved edits. */
  var props = { saving: false, refreshing: null, saveAgain: false, refreshWanted: false };

  function propsPanel() { return document.getElementById("properties"); }
  function propsForm() { var panel = propsPanel(); return panel && $("form.properties-form", panel); }

  function propsFields(form) {
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name && form.elements["original_" + field.name] && !/^original_/.test(field.name);
    });
  }

  function unsaved(form) {
    return propsFields(form).filter(function (field) {
      return field.value !== form.elements["original_" + field.name].value;
    });
  }

  function focusInPanel() {
    var panel = propsPanel();
    return !!(panel && document.activeElement && panel.contains(document.activeElement));
  }

  function emitBody(name) { document.body.dispatchEvent(new CustomEvent(name, { bubbles: true })); }

  // Put the server's panel in place, keeping what the agent typed since `sent` left.
  function showPanel(html, sent) {
    var old = propsPanel();
    if (!old) return;
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var fresh = holder.querySelector("#properties");
    if (!fresh) return;
    var oldForm = propsForm();
    var freshForm = $("form.properties-form", fresh);
    var focused = focusInPanel() ? document.activeElement : null;
    if (oldForm && freshForm) {
      unsaved(oldForm).forEach(function (field) {
        if (Object.prototype.hasOwnProperty.call(sent, field.name) && sent[field.name] === field.value) return;
        var twin = freshForm.elements[field.name];
        if (twin) twin.value = field.value;
      });
    }
    old.replaceWith(fresh);
    if (focused && focused.name && freshForm && freshForm.elements[focused.name]) {
      var twin = freshForm.elements[focused.name];
      twin.focus();
      if (typeof focused.selectionStart === "number" && twin.setSelectionRange) {
        try { twin.setSelectionRange(focused.selectionStart, focused.selectionEnd); } catch (e) { /* not a text field */ }
      }
    }
    emitBody("goodwill:properties-shown");
  }

  function showPanelError(text) {
    var panel = propsPanel();
    if (!panel) return;
    var note = $("[data-save-error]", panel);
    if (!note) {
      note = document.createElement("p");
      note.className = "form-errors";
      note.setAttribute("role", "alert");
      note.setAttribute("data-save-error", "");
      panel.insertBefore(note, $("form", panel));
    }
    note.textContent = text;
  }

  function saveProperties() {
    var form = propsForm();
    if (!form) return;
    if (props.saving) { props.saveAgain = true; return; }
    var changed = unsaved(form);
    if (!changed.length) return;
    if (props.refreshing) { props.refreshing.abort(); props.refreshing = null; props.refreshWanted = true; }
    var body = new FormData();
    var sent = {};
    body.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    changed.forEach(function (field) {
      sent[field.name] = field.value;
      body.append(field.name, field.value);
      body.append("original_" + field.name, form.elements["original_" + field.name].value);
    });
    props.saving = true;
    form.setAttribute("aria-busy", "true");
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) {
        return response.text().then(function (html) {
          if (response.ok || response.status === 409) {
            showPanel(html, sent);
            emitBody("goodwill:new-message"); // the timeline shows the change too
          } else {
            showPanelError("Not saved (error " + response.status + "). Change the field again to retry.");
          }
        });
      })
      .catch(function () { showPanelError("Not saved: the server could not be reached. Change the field again to retry."); })
      .then(function () {
        props.saving = false;
        var current = propsForm();
        if (current) current.removeAttribute("aria-busy");
        if (props.saveAgain) { props.saveAgain = false; saveProperties(); }
        else if (props.refreshWanted) refreshProperties();
      });
  }

  function refreshProperties() {
    var panel = propsPanel();
    if (!panel || !panel.dataset.refreshUrl) return;
    var form = propsForm();
    if (props.saving || props.refreshing || focusInPanel() || (form && unsaved(form).length)) {
      props.refreshWanted = true;
      return;
    }
    props.refreshWanted = false;
    var controller = new AbortController();
    props.refreshing = controller;
    fetch(panel.dataset.refreshUrl, { credentials: "same-origin", headers: { "HX-Request": "true" }, signal: controller.signal })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (props.refreshing !== controller) return; // a save overtook it
        props.refreshing = null;
        var current = propsForm();
        if (focusInPanel() || (current && unsaved(current).length)) { props.refreshWanted = true; return; }
        if (html) showPanel(html, {});
      })
      .catch(function () { if (props.refreshing === controller) props.refreshing = null; });
  }

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form === propsForm() && !/^original_/.test(event.target.name || "")) saveProperties();
  });
  document.addEventListener("submit", function (event) {
    if (event.target !== propsForm() || event.defaultPrevented) return;
    event.preventDefault();
    saveProperties();
  });
  document.addEventListener("focusout", function (event) {
    var panel = propsPanel();
    if (!panel || !panel.contains(event.target)) return;
    // After the blur settles: still in the panel (moved to the next field) means still editing.
    setTimeout(function () {
      var form = propsForm();
      if (form && unsaved(form).length && !focusInPanel()) saveProperties();
      else if (props.refreshWanted && !focusInPanel()) refreshProperties();
    }, 0);
  });
  document.addEventListener("goodwill:conversation-changed", refreshProperties);

  /* --- composer -------------------------------------------------------------------- */
  function composer() { return document.getElementById("composer-form"); }
  function composerText() { return document.getElementById("composer-text"); }

  function setKind(kind) {
    var form = composer();
    if (!form) return;
    var radio = $('input[name="kind"][value="' + kind + '"]', form);
    if (radio) {
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    }
    var text = composerText();
    if (text) text.focus();
  }

  function syncSendLabel() {
    var form = composer();
    var button = document.getElementById("composer-send");
    if (!form || !button) return;
    var checked = $('input[name="kind"]:checked', form) || $('input[type="hidden"][name="kind"]', form);
    var kind = checked ? checked.value : "reply";
    var labels = { reply: "Send reply", note: "Add note", phone: "Log phone call", walk_in: "Log walk-in" };
    button.textContent = labels[kind] || "Send reply";
    form.classList.toggle("is-note", kind === "note");
    form.dataset.kind = kind;
  }
  document.addEventListener("change", function (event) {
    if (event.target.name === "kind") syncSendLabel();
  });

  // Undo send: the form waits a few seconds before it really goes; Undo cancels.
  var pending = null;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "composer-form" || event.defaultPrevented) return;
    if (form.dataset.sendNow) return;
    var text = composerText();
    var files = $('input[type="file"]', form);
    if (text && !text.value.trim() && !(files && files.files.length)) return; // the server explains
    event.preventDefault();
    var bar = document.getElementById("undo-bar");
    var label = bar ? $("[data-undo-text]", bar) : null;
    var button = document.getElementById("composer-send");
    var left = UNDO_SECONDS;
    var isNote = form.dataset.kind && form.dataset.kind !== "reply";
    function tick() {
      if (label) label.textContent = (isNote ? "Saving in " : "Sending in ") + left + " s…";
    }
    if (button) button.disabled = true;
    if (bar) bar.hidden = false;
    tick();
    pending = setInterval(function () {
      left -= 1;
      if (left > 0) { tick(); return; }
      clearInterval(pending);
      pending = null;
      if (label) label.textContent = isNote ? "Saving…" : "Sending…";
      form.dataset.sendNow = "1";
      form.submit();
    }, 1000);
  });

  document.addEventListener("click", function (event) {
    if (!event.target.matches("[data-undo]")) return;
    if (pending) clearInterval(pending);
    pending = null;
    var bar = document.getElementById("undo-bar");
    if (bar) bar.hidden = true;
    var button = document.getElementById("composer-send");
    if (button) button.disabled = false;
    var text = composerText();
    if (text) text.focus();
  });

  // One-click fixes offered by draft checks (conversations/drafts.py): replace a phrase in the
  // draft, or insert text at its start or end; then the checks and the draft save run again.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-draft-replace], [data-draft-insert]");
    var text = composerText();
    if (!button || !text) return;
    event.preventDefault();
    var value = text.value;
    var replacement = button.getAttribute("data-draft-with") || "";
    var caret;
    if (button.hasAttribute("data-draft-replace")) {
      var phrase = button.getAttribute("data-draft-replace");
      var at = value.indexOf(phrase);
      if (at < 0) at = value.toLowerCase().indexOf(phrase.toLowerCase());
      if (at < 0) return;
      text.value = value.slice(0, at) + replacement + value.slice(at + phrase.length);
      caret = at + replacement.length;
    } else if (button.getAttribute("data-draft-insert") === "start") {
      text.value = replacement + value;
      caret = replacement.length;
    } else {
      text.value = value + replacement;
      caret = text.value.length;
    }
    text.focus();
    text.setSelectionRange(caret, caret);
    text.dispatchEvent(new Event("input", { bubbles: true }));
  });

  // Macros: insert the filled-in text at the cursor instead of reloading the page.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "macro-form") return;
    var select = $("#macro-select", form);
    var option = select && select.options[select.selectedIndex];
    var text = composerText();
    if (!option || !text) return;
    event.preventDefault();
    var insert = option.getAttribute("data-text") || "";
    var start = text.selectionStart || text.value.length;
    var end = text.selectionEnd || start;
    var before = text.value.slice(0, start);
    var glue = before && !/\n$/.test(before) ? "\n\n" : "";
    text.value = before + glue + insert + text.value.slice(end);
    if (option.getAttribute("data-kind") === "note") setKind("note");
    var status = document.getElementById("composer-status");
    if (status && option.getAttribute("data-status")) status.value = option.getAttribute("data-status");
    text.focus();
    var caret = (before + glue + insert).length;
    text.setSelectionRange(caret, caret);
    text.dispatchEvent(new Event("input", { bubbles: true }));
  });

  /* --- keyboard shortcuts ---------------------------------------------------------- */
  function showHelp() {
    var dialog = document.getElementById("shortcuts-dialog");
    if (dialog && !dialog.open) dialog.showModal();
  }

  function solve() {
    var status = $('#properties select[name="status"]');
    if (!status) return;
    status.value = "solved";
    status.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && isTyping(event.target)) {
      event.target.blur();
      return;
    }
    if (isTyping(event.target)) return;
    if ($("dialog[open]")) return;
    var key = event.key;
    var handled = true;
    if (key === "/") {
      var search = document.getElementById("global-search");
      if (search) { search.focus(); search.select(); } else handled = false;
    } else if (key === "?") {
      showHelp();
    } else if (key === "j") {
      move(1);
    } else if (key === "k") {
      move(-1);
    } else if (key === "o" || (key === "Enter" && current && !event.target.closest("a,button"))) {
      var row = current && $('#inbox-list .conv-row[data-number="' + current + '"] .conv-link');
      if (row) window.location.href = row.href; else handled = false;
    } else if (key === "x" && current) {
      var box = $('#inbox-list .conv-row[data-number="' + current + '"] input[type="checkbox"]');
      if (box) box.checked = !box.checked; else handled = false;
    } else if (key === "r" && composer()) {
      setKind("reply");
    } else if (key === "n" && composer()) {
      setKind("note");
    } else if (key === "a") {
      var assignee = $('#properties input[name="assignee"]');
      if (assignee) { assignee.focus(); assignee.select(); } else handled = false;
    } else if (key === "s") {
      if ($("#properties select[name=status]")) solve(); else handled = false;
    } else {
      handled = false;
    }
    if (handled) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    if (event.target.matches("[data-close-dialog]")) event.target.closest("dialog").close();
    if (event.target.matches("[data-show-shortcuts]")) showHelp();
  });

  function init() {
    syncBulkBar();
    syncSendLabel();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();

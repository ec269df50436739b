/* Goodwill live: presence, collision warning and "anything new?" checks for a conversation.
 *
 * Every [data-live] section (rendered by live/_conversation_live.html) sends a heartbeat
 * every few seconds with the agent's state (viewing, or replying while the composer has
 * text or focus) and the last marker it knows. The answer says who else is here and
 * whether messages or the conversation changed; changes are announced as DOM events:
 *   goodwill:new-message           on document.body, when a newer message exists
 *   goodwill:conversation-changed  on document.body, when status, assignee, team… changed
 * Submitting #composer-form while another agent is replying asks for confirmation first.
 */
(function () {
  "use strict";

  if (window.goodwillLive) {
    window.goodwillLive.scan(document);
    return;
  }

  var DEFAULT_INTERVAL = 3000;
  var instances = [];

  function composerText() {
    return document.getElementById("composer-text");
  }

  function composerForm() {
    return document.getElementById("composer-form");
  }

  function currentState() {
    var text = composerText();
    if (!text) return "viewing";
    if (document.activeElement === text || (text.value || "").trim() !== "") return "replying";
    return "viewing";
  }

  function emit(name, detail) {
    document.body.dispatchEvent(new CustomEvent(name, { bubbles: true, detail: detail }));
  }

  function Live(root) {
    this.root = root;
    this.url = root.dataset.heartbeatUrl;
    this.leaveUrl = root.dataset.leaveUrl;
    this.number = root.dataset.number;
    this.message = parseInt(root.dataset.message || "0", 10) || 0;
    this.stateMarker = root.dataset.stateMarker || "";
    this.csrf = root.dataset.csrf || "";
    this.interval = DEFAULT_INTERVAL;
    this.others = [];
    this.sentState = null;
    this.inFlight = false;
    this.stopped = false;
    this.timer = null;
    this.presenceEl = root.querySelector("[data-live-presence]");
    this.collisionEl = root.querySelector("[data-live-collision]");
    this.dialog = root.querySelector("[data-live-dialog]");
    this.dialogText = root.querySelector("[data-live-dialog-text]");
    this.pendingSubmit = null;
    this.bindDialog();
    this.beat();
  }

  Live.prototype.replyingOthers = function () {
    return this.others.filter(function (person) { return person.state === "replying"; });
  };

  Live.prototype.schedule = function () {
    var self = this;
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(function () { self.beat(); }, this.interval);
  };

  Live.prototype.beat = function () {
    var self = this;
    if (!document.body.contains(this.root)) {
      this.stop();
      return;
    }
    if (this.inFlight) return;
    this.inFlight = true;
    var state = currentState();
    var body = new URLSearchParams({
      state: state,
      message: String(this.message),
      state_marker: this.stateMarker
    });
    fetch(this.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": this.csrf, "Content-Type": "application/x-www-form-urlencoded" },
      body: body
    })
      .then(function (response) {
        if (!response.ok) throw new Error("heartbeat " + response.status);
        return response.json();
      })
      .then(function (data) {
        self.sentState = state;
        self.apply(data);
      })
      .catch(function () { /* offline or signed out: try again on the next beat */ })
      .then(function () {
        self.inFlight = false;
        self.schedule();
      });
  };

  Live.prototype.apply = function (data) {
    this.interval = data.interval || DEFAULT_INTERVAL;
    this.others = data.others || [];
    this.render();
    var marker = data.marker || {};
    if (marker.message > this.message) {
      this.message = marker.message;
      this.root.dataset.message = String(marker.message);
      emit("goodwill:new-message", { number: this.number, message: marker.message });
    }
    if (marker.state) {
      // Compared with what the properties panel shows (it carries the marker it was rendered
      // from, and is re-rendered by the page's own saves), so a change is announced until the
      // panel shows it, and the page's own edits are never announced back to it.
      var panel = document.getElementById("properties");
      var shown = panel ? panel.getAttribute("data-state-marker") : null;
      var changed = shown ? marker.state !== shown : this.stateMarker !== "" && marker.state !== this.stateMarker;
      this.stateMarker = marker.state;
      this.root.dataset.stateMarker = marker.state;
      if (changed) emit("goodwill:conversation-changed", { number: this.number });
    }
  };

  Live.prototype.render = function () {
    var el = this.presenceEl;
    if (el) {
      el.textContent = "";
      if (this.others.length === 0) {
        var alone = document.createElement("span");
        alone.className = "live-alone";
        alone.textContent = "No one else is viewing this conversation.";
        el.appendChild(alone);
      } else {
        var label = document.createElement("span");
        label.className = "live-label";
        label.textContent = "Also here: ";
        el.appendChild(label);
        var list = document.createElement("ul");
        list.className = "live-people";
        this.others.forEach(function (person) {
          var item = document.createElement("li");
          item.className = "live-person live-" + person.state;
          item.appendChild(document.createTextNode(person.name + " "));
          var state = document.createElement("span");
          state.className = "live-state";
          state.textContent = "(" + person.state + ")";
          item.appendChild(state);
          list.appendChild(item);
        });
        el.appendChild(list);
      }
    }
    var replying = this.replyingOthers();
    var warning = "";
    if (replying.length) {
      var names = replying.map(function (person) { return person.name; }).join(", ");
      warning = names + (replying.length === 1 ? " is" : " are") +
        " replying to this conversation right now. Check before you send.";
    }
    if (this.collisionEl && this.collisionEl.textContent !== warning) {
      this.collisionEl.textContent = warning;
    }
  };

  Live.prototype.bindDialog = function () {
    var self = this;
    if (!this.dialog) return;
    this.dialog.addEventListener("click", function (event) {
      var button = event.target.closest("[data-live-action]");
      if (!button) return;
      var pending = self.pendingSubmit;
      self.pendingSubmit = null;
      self.dialog.close();
      if (button.dataset.liveAction === "send" && pending) {
        pending.form.dataset.liveConfirmed = "1";
        // Tell the server too: it refuses a reply on top of another agent's unless confirmed.
        var ack = pending.form.querySelector("input[name=collision_ack]");
        if (ack) ack.value = "1";
        if (pending.form.requestSubmit) {
          pending.form.requestSubmit(pending.submitter || undefined);
        } else {
          pending.form.submit();
        }
      } else {
        var text = composerText();
        if (text) text.focus();
      }
    });
    this.dialog.addEventListener("cancel", function () {
      self.pendingSubmit = null;
    });
  };

  Live.prototype.guardSubmit = function (event) {
    var form = event.target;
    if (form.dataset.liveConfirmed) {
      delete form.dataset.liveConfirmed;
      return;
    }
    var submitter = event.submitter || null;
    if (submitter && submitter.hasAttribute("data-live-skip")) return;
    // An internal note does not reach the customer, so it cannot answer on top of anyone.
    var kind = form.querySelector("input[name=kind]:checked");
    if (kind && kind.value === "note") return;
    var replying = this.replyingOthers();
    if (!replying.length || !this.dialog) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    var names = replying.map(function (person) { return person.name; }).join(", ");
    if (this.dialogText) {
      this.dialogText.textContent = names + (replying.length === 1 ? " is" : " are") +
        " writing a reply to this conversation right now. If you send yours too, " +
        "the customer may get two answers.";
    }
    this.pendingSubmit = { form: form, submitter: submitter };
    if (typeof this.dialog.showModal === "function") {
      this.dialog.showModal();
    } else {
      this.dialog.setAttribute("open", "");
    }
  };

  Live.prototype.composerChanged = function () {
    if (currentState() !== this.sentState && !this.inFlight) {
      clearTimeout(this.timer);
      this.beat();
    }
  };

  Live.prototype.stop = function () {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    this.leave();
    instances = instances.filter(function (item) { return item !== this; }, this);
  };

  Live.prototype.leave = function () {
    if (!this.leaveUrl || !navigator.sendBeacon) return;
    var data = new FormData();
    data.append("csrfmiddlewaretoken", this.csrf);
    navigator.sendBeacon(this.leaveUrl, data);
  };

  function activeInstance() {
    for (var i = instances.length - 1; i >= 0; i--) {
      if (document.body.contains(instances[i].root)) return instances[i];
    }
    return null;
  }

  function scan(container) {
    instances = instances.filter(function (instance) {
      if (document.body.contains(instance.root)) return true;
      instance.stop();
      return false;
    });
    var roots = (container || document).querySelectorAll("[data-live]");
    Array.prototype.forEach.call(roots, function (root) {
      if (root.liveInstance) return;
      root.liveInstance = new Live(root);
      instances.push(root.liveInstance);
    });
  }

  // Capture phase, so the guard runs before htmx or any other submit handler on the form.
  document.addEventListener("submit", function (event) {
    if (!event.target || event.target.id !== "composer-form") return;
    var instance = activeInstance();
    if (instance) instance.guardSubmit(event);
  }, true);

  ["focusin", "focusout", "input"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      if (!event.target || event.target.id !== "composer-text") return;
      var instance = activeInstance();
      if (instance) instance.composerChanged();
    });
  });

  window.addEventListener("pagehide", function () {
    instances.forEach(function (instance) { instance.leave(); });
  });

  document.addEventListener("htmx:load", function (event) { scan(event.target.parentNode || document); });

  window.goodwillLive = { scan: scan, composerForm: composerForm };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { scan(document); });
  } else {
    scan(document);
  }
})();

/* Goodwill's Content-Security-Policy forbids eval, so htmx trigger filters ("every 10s [...]")
 * cannot run. An element with data-hold-while="<CSS selector>" instead skips its htmx
 * requests while that selector matches something on the page. */
document.addEventListener("htmx:confirm", function (event) {
  var elt = event.detail && event.detail.elt;
  var selector = elt && elt.getAttribute && elt.getAttribute("data-hold-while");
  if (selector && document.querySelector(selector)) event.preventDefault();
});

/* htmx 2 swaps no 4xx answer by default, so a form answered "422 with the errors shown" would
 * look as if nothing happened. Views answer a refused form with its HTML (the typed values and
 * the error) and 400, 409 or 422: swap those like a success. Other errors (403, 404, 5xx) and
 * answers that are not HTML still do not swap. */
document.addEventListener("htmx:beforeSwap", function (event) {
  var xhr = event.detail && event.detail.xhr;
  if (!xhr || [400, 409, 422].indexOf(xhr.status) === -1) return;
  if (!/^text\/html/i.test(xhr.getResponseHeader("Content-Type") || "")) return;
  event.detail.shouldSwap = true;
  event.detail.isError = false;
});

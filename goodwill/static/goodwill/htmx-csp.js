/* Goodwill's Content-Security-Policy forbids eval, so htmx trigger filters ("every 10s [...]")
 * cannot run. An element with data-hold-while="<CSS selector>" instead skips its htmx
 * requests while that selector matches something on the page. */
document.addEventListener("htmx:confirm", function (event) {
  var elt = event.detail && event.detail.elt;
  var selector = elt && elt.getAttribute && elt.getAttribute("data-hold-while");
  if (selector && document.querySelector(selector)) event.preventDefault();
});

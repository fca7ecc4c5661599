// The navigation's unread-alerts badge stays current without a page load: it is fetched again
// every 45 s while the page is visible, and at once when an alert action answers with the
// `alerts-changed` event (HX-Trigger; htmx raises it on the button, it bubbles to the body).
(function () {
  "use strict";
  var POLL_MS = 45000;
  var slot = document.getElementById("alert-badge");
  var link = slot && slot.closest("[data-badge-url]");
  if (!slot || !link) {
    return;
  }
  var url = link.getAttribute("data-badge-url");
  var busy = false;

  function refresh() {
    if (busy) {
      return;
    }
    busy = true;
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        // A signed-out or expired session answers with a redirect to the login page: keep
        // the badge as it is rather than show the login form inside the navigation.
        if (!response.ok || response.redirected) {
          return null;
        }
        return response.text();
      })
      .then(function (html) {
        if (html === null) {
          return;
        }
        var parsed = new DOMParser().parseFromString(html, "text/html");
        var fresh = parsed.getElementById("alert-badge");
        var current = document.getElementById("alert-badge");
        if (fresh && current) {
          current.replaceWith(document.importNode(fresh, true));
        }
      })
      .catch(function () {})
      .finally(function () {
        busy = false;
      });
  }

  window.setInterval(function () {
    if (document.visibilityState === "visible") {
      refresh();
    }
  }, POLL_MS);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      refresh();
    }
  });
  document.body.addEventListener("alerts-changed", refresh);
})();

// Form drafts kept in sessionStorage (see journal/checkin-draft.js) are removed when the page
// says what they held is saved (an element with data-clear-draft="<name>") and when anyone signs
// out (any form with data-sign-out), so the next person on a shared browser sees none of them.
(function () {
  "use strict";
  var PREFIX = "portal-draft:";
  var storage;
  try {
    storage = window.sessionStorage;
  } catch (error) {
    return;
  }

  function clearAll() {
    try {
      for (var i = storage.length - 1; i >= 0; i -= 1) {
        var key = storage.key(i);
        if (key && key.indexOf(PREFIX) === 0) { storage.removeItem(key); }
      }
    } catch (error) { /* nothing stored */ }
  }

  document.querySelectorAll("[data-clear-draft]").forEach(function (el) {
    try { storage.removeItem(PREFIX + el.getAttribute("data-clear-draft")); } catch (error) { /* */ }
  });
  document.querySelectorAll("form[data-sign-out]").forEach(function (form) {
    form.addEventListener("submit", clearAll);
  });
})();

/* The visit form: one tap saves one visit. The button is disabled once the form is on its way, so a second tap
   on a slow connection cannot log the visit twice. A static file, as the Content-Security-Policy asks. */
(function () {
  "use strict";
  var form = document.getElementById("visit-form");
  var button = document.getElementById("save-visit");
  if (!form || !button) {
    return;
  }
  form.addEventListener("submit", function () {
    // After this turn of the event loop, so the browser has already taken the form's data.
    window.setTimeout(function () {
      button.disabled = true;
      button.textContent = button.getAttribute("data-saving") || button.textContent;
    }, 0);
  });
})();

/* Small progressive enhancements for the explorer pages (everything works without them). */
(function () {
  "use strict";
  // Forms marked data-drop-empty leave empty fields out of the URL, so the parameter's default applies.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-drop-empty]"), function (form) {
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.querySelectorAll("input[name]"), function (input) {
        if (input.value.trim() === "") input.disabled = true;
      });
      window.setTimeout(function () {
        Array.prototype.forEach.call(form.querySelectorAll("input[name]"), function (input) { input.disabled = false; });
      }, 0);
    });
  });
})();

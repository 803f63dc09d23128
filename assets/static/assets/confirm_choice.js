// A button that asks before an irreversible action, with the question chosen by a radio group:
// <button data-confirm-choice="components" data-confirm-refuse="…" data-confirm-detach="…">.
// The question says what will happen for the option ticked (e.g. how many components retire too).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-confirm-choice]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        var group = button.getAttribute("data-confirm-choice");
        var form = button.form;
        var ticked = form && form.querySelector("input[name='" + group + "']:checked");
        var value = ticked ? ticked.value : "";
        var message = button.getAttribute("data-confirm-" + value) ||
          button.getAttribute("data-confirm-refuse");
        if (message && !window.confirm(message)) event.preventDefault();
      });
    });
  });
})();

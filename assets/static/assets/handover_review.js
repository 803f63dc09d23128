// The handover review page. "Accept all" ticks every item's Accept radio (the receiver still
// submits, so every item carries an explicit result: DESIGN.md invariant 6). Recording the decision
// is irreversible: the button asks first, saying in numbers what will happen. Enter in a one-line
// box (custodian) does not submit the decision; the reason is a <textarea>, where Enter is a new line.
(function () {
  "use strict";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-accept-all]").forEach(function (button) {
      button.addEventListener("click", function () {
        document.querySelectorAll("input[data-accept]").forEach(function (radio) {
          radio.checked = true;
        });
      });
    });

    document.querySelectorAll("form[data-review-form]").forEach(function (form) {
      form.addEventListener("keydown", function (event) {
        var target = event.target;
        if (event.key === "Enter" && target.tagName === "INPUT" && target.type !== "radio") {
          event.preventDefault();
        }
      });
      var button = form.querySelector("[data-decide]");
      if (!button) return;
      button.addEventListener("click", function (event) {
        var items = form.querySelectorAll("[data-review-item]");
        var accepted = 0;
        var rejected = 0;
        var complete = true;
        items.forEach(function (item) {
          var accept = item.querySelector("input[data-accept]");
          var reject = item.querySelector("input[data-reject]");
          var reason = item.querySelector("[data-reason]");
          if (accept && accept.checked) {
            accepted += 1;
          } else if (reject && reject.checked) {
            rejected += 1;
            if (!reason || !reason.value.trim()) complete = false;
          } else {
            complete = false;
          }
        });
        // An incomplete decision changes nothing: the server names and highlights what is missing.
        if (!complete) return;
        // Nothing accepted says so instead of "ownership of 0 items moves"; nothing rejected
        // says so instead of "rejected: 0".
        var template =
          (accepted === 0 && button.getAttribute("data-confirm-none-template")) ||
          (rejected === 0 && button.getAttribute("data-confirm-all-template")) ||
          button.getAttribute("data-confirm-template");
        var message = fill(template, {
          accepted: accepted,
          rejected: rejected,
        });
        if (!window.confirm(message)) event.preventDefault();
      });
    });
  });
})();

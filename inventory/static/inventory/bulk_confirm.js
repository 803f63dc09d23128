// The difference desk's irreversible bulk buttons ask with the numbers of what the action will
// treat: <button value="approve" data-confirm-ticked="… {differences} … {cards} … {amount} …"
// data-confirm-skipped="… {skipped} … {states} …">. Each row's box carries data-actions (the
// bulk actions it can take, from the server's `differences.bulk_refusal`), data-state (its state
// word), data-card (its card's id, empty for a surplus find) and data-value (原值, plain).
// Ticked rows the action cannot take are left out of the numbers and counted as skipped, by
// state. With nothing ticked the form goes as it is and the answer says to tick one.
(function () {
  "use strict";
  function money(cents) {
    var yuan = Math.floor(cents / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var rest = (cents % 100).toString();
    return "¥" + yuan + "." + (rest.length < 2 ? "0" + rest : rest);
  }
  function cents(text) {
    var match = /^(\d+)(?:\.(\d{1,2}))?$/.exec((text || "").trim());
    if (!match) return 0;
    return parseInt(match[1], 10) * 100 + parseInt(((match[2] || "") + "00").slice(0, 2), 10);
  }
  function takes(box, action) {
    return (box.getAttribute("data-actions") || "").split(" ").indexOf(action) !== -1;
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-confirm-ticked]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        var form = button.form;
        var ticked = form ? form.querySelectorAll("input[name='ids']:checked") : [];
        if (!ticked.length) return;
        var cards = {};
        var total = 0;
        var treated = 0;
        var skipped = 0;
        var states = {};
        var order = [];
        ticked.forEach(function (box) {
          if (!takes(box, button.value)) {
            skipped += 1;
            var state = box.getAttribute("data-state") || "";
            if (!(state in states)) {
              states[state] = 0;
              order.push(state);
            }
            states[state] += 1;
            return;
          }
          treated += 1;
          var card = box.getAttribute("data-card");
          if (card) cards[card] = true;
          total += cents(box.getAttribute("data-value"));
        });
        var skippedText = "";
        if (skipped && button.hasAttribute("data-confirm-skipped")) {
          var words = order.map(function (state) { return state + " " + states[state]; });
          skippedText = button.getAttribute("data-confirm-skipped")
            .replace("{skipped}", skipped)
            .replace("{states}", words.join(" · "));
        }
        if (!treated) {
          // Nothing ticked can take this action: say so, and send nothing.
          window.alert(skippedText);
          event.preventDefault();
          return;
        }
        var message = button.getAttribute("data-confirm-ticked")
          .replace("{differences}", treated)
          .replace("{cards}", Object.keys(cards).length)
          .replace("{amount}", money(total));
        if (skippedText) message += "\n" + skippedText;
        if (!window.confirm(message)) event.preventDefault();
      });
    });
  });
})();

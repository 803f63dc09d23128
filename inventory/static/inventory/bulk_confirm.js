// The difference desk's irreversible bulk buttons ask with the numbers of what is ticked:
// <button data-confirm-ticked="… {differences} … {cards} … {amount} …">, each row's box
// carrying data-card (its card's id, empty for a surplus find) and data-value (原值, plain).
// With nothing ticked the form goes as it is and the answer says to tick one.
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
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-confirm-ticked]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        var form = button.form;
        var ticked = form ? form.querySelectorAll("input[name='ids']:checked") : [];
        if (!ticked.length) return;
        var cards = {};
        var total = 0;
        ticked.forEach(function (box) {
          var card = box.getAttribute("data-card");
          if (card) cards[card] = true;
          total += cents(box.getAttribute("data-value"));
        });
        var message = button.getAttribute("data-confirm-ticked")
          .replace("{differences}", ticked.length)
          .replace("{cards}", Object.keys(cards).length)
          .replace("{amount}", money(total));
        if (!window.confirm(message)) event.preventDefault();
      });
    });
  });
})();

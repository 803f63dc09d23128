// The new-card form's useful life: empty means the category's default, so its placeholder shows
// that default (<input data-category-life="Category default: {months}">) and follows the
// category select. Defaults come from <script type="application/json" id="category-lives">.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.querySelector("input[data-category-life]");
    var select = document.querySelector("select[name=category]");
    var data = document.getElementById("category-lives");
    if (!input || !select || !data) {
      return;
    }
    var lives = JSON.parse(data.textContent);
    var template = input.getAttribute("data-category-life");
    function refresh() {
      var months = lives[select.value];
      input.placeholder = months ? template.replace("{months}", months) : "";
    }
    select.addEventListener("change", refresh);
    refresh();
  });
})();

"use strict";
// The reminder schedule's task form in the admin: under the crontab field, the chosen crontab in
// words (django-celery-beat does this with an inline script, which the site's CSP refuses).
(function () {
  const label = (document.currentScript && document.currentScript.dataset.label) || "";

  function init() {
    const data = document.getElementById("readable-crontabs");
    const select = document.getElementById("id_crontab");
    if (!data || !select) return;
    const readable = JSON.parse(data.textContent);
    document.querySelectorAll(".field-crontab_translation").forEach((row) => { row.hidden = true; });
    const line = document.createElement("p");
    line.className = "help crontab-in-words";
    line.setAttribute("aria-live", "polite");
    const field = select.closest(".form-row") || select.parentElement;
    field.appendChild(line);
    const update = () => {
      const words = readable[select.value];
      line.textContent = words ? `${label} ${words}` : "";
    };
    select.addEventListener("change", update);
    update();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

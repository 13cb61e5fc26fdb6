// Overview: apply a filter as soon as a select changes (the Apply button still works without this).
"use strict";
(function () {
  const form = document.querySelector("form.filters");
  if (!form) return;
  form.querySelectorAll("select").forEach(function (select) {
    select.addEventListener("change", function () { form.submit(); });
  });
})();

/* The few behaviours the portal needs, without a framework and without inline script (CSP).
   - The error summary takes focus when a form comes back with errors, so a screen reader
     announces it and a keyboard user starts from it.
   - A link in the summary moves focus to its field (not just scrolls) and shows its label.
   - "Add another row" adds an empty row in place (from the formset's <template>) instead of
     saving the page; it is no longer a submit button, so Enter still means Continue. */
(function () {
  "use strict";

  function focusSummary() {
    var summary = document.querySelector("[data-autofocus]");
    if (summary) {
      summary.focus();
    }
  }

  function focusFieldFromSummary(event) {
    var link = event.target.closest(".error-summary a[href^='#']");
    if (!link) {
      return;
    }
    var input = document.getElementById(link.getAttribute("href").slice(1));
    if (!input) {
      return;
    }
    event.preventDefault();
    var label = document.querySelector("label[for='" + input.id + "']");
    (label || input).scrollIntoView();
    input.focus({ preventScroll: true });
  }

  function addRow(event) {
    var button = event.target.closest("[data-add-row]");
    if (!button) {
      return;
    }
    var prefix = button.getAttribute("data-add-row");
    var template = document.querySelector("template[data-empty-row='" + prefix + "']");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    if (!template || !total) {
      return;
    }
    event.preventDefault();
    var index = parseInt(total.value, 10);
    var html = template.innerHTML
      .replace(/__prefix__/g, String(index))
      .replace(/__number__/g, String(index + 1));
    template.insertAdjacentHTML("beforebegin", html);
    total.value = String(index + 1);
    var added = template.previousElementSibling;
    var first = added && added.querySelector("input, select, textarea");
    if (first) {
      first.focus();
    }
  }

  function enhanceAddButtons() {
    document.querySelectorAll("[data-add-row]").forEach(function (button) {
      button.type = "button";
    });
  }

  document.addEventListener("DOMContentLoaded", focusSummary);
  document.addEventListener("DOMContentLoaded", enhanceAddButtons);
  document.addEventListener("click", focusFieldFromSummary);
  document.addEventListener("click", addRow);
})();

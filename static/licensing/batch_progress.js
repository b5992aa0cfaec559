/* The print batch page keeps itself current while the batch runs, without inline script (so a
   Content Security Policy can forbid it): every two seconds it asks the batch's status URL
   and updates the progress bar and the counts; when the batch has finished it reloads the page
   once, which then shows the outcome of every licence and the merged PDF. Without script the
   page has a Refresh link. */
(function () {
  "use strict";

  var INTERVAL_MS = 2000;

  function update(section, status) {
    var bar = section.querySelector("progress");
    if (bar) {
      bar.max = status.total;
      bar.value = status.done;
      bar.textContent = status.percent + "%";
    }
    Object.keys(status).forEach(function (name) {
      section.querySelectorAll('[data-field="' + name + '"]').forEach(function (element) {
        element.textContent = String(status[name]);
      });
    });
  }

  function poll(section) {
    fetch(section.dataset.statusUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (status) {
        update(section, status);
        if (status.finished) {
          window.location.reload();
        } else {
          window.setTimeout(function () { poll(section); }, INTERVAL_MS);
        }
      })
      .catch(function () {
        // Signed out or offline: stop polling; the Refresh link still works.
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var section = document.getElementById("print-progress");
    if (!section || !section.dataset.statusUrl) {
      return;
    }
    if (section.dataset.state === "finished" || section.dataset.state === "finished_with_failures") {
      return;
    }
    window.setTimeout(function () { poll(section); }, INTERVAL_MS);
  });
})();

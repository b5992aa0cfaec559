/* A legacy register import's page keeps itself current while its check or its write runs in
   the background, as the print batch page does and without inline script (so a Content
   Security Policy can forbid it): every two seconds it asks the import's status URL and
   updates the progress bar and the counts (rows checked, rows written, rows in the file);
   when the job has ended it reloads the page once, which then shows the preview, the result
   or the report. Without script the page has a Refresh link. */
(function () {
  "use strict";

  var INTERVAL_MS = 2000;

  function update(section, status) {
    var bar = section.querySelector("progress");
    if (bar && status.total) {
      bar.max = status.total;
      bar.value = Math.min(status.done, status.total);
      bar.textContent = status.percent + "%";
    }
    Object.keys(status).forEach(function (name) {
      var value = status[name] === null ? "-" : String(status[name]);
      section.querySelectorAll('[data-field="' + name + '"]').forEach(function (element) {
        element.textContent = value;
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
        if (status.running) {
          window.setTimeout(function () { poll(section); }, INTERVAL_MS);
        } else {
          window.location.reload();
        }
      })
      .catch(function () {
        // Signed out or offline: stop polling; the Refresh link still works.
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var section = document.getElementById("import-progress");
    if (!section || !section.dataset.statusUrl || section.dataset.running !== "true") {
      return;
    }
    window.setTimeout(function () { poll(section); }, INTERVAL_MS);
  });
})();

// Upload progress for the import page: the form works without this script; with it, the
// bar shows how much of the files has been sent, then the import report replaces the page.
(function () {
  var form = document.getElementById("import-form");
  var bar = document.getElementById("import-progress");
  var status = document.getElementById("import-status");
  if (!form || !bar || !window.XMLHttpRequest || !window.FormData) { return; }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    bar.hidden = false;
    request.upload.addEventListener("progress", function (progress) {
      if (progress.lengthComputable) {
        bar.value = Math.round(100 * progress.loaded / progress.total);
        status.textContent = "Envoi : " + bar.value + " %";
      }
    });
    request.upload.addEventListener("load", function () {
      status.textContent = "Fichiers reçus, import en cours…";
    });
    request.addEventListener("load", function () {
      document.open();
      document.write(request.responseText);
      document.close();
    });
    request.addEventListener("error", function () {
      status.textContent = "L'envoi a échoué : vérifiez la connexion et réessayez.";
    });
    request.send(new FormData(form));
  });
})();

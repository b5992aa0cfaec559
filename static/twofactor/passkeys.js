// After a passkey is registered (django-otp-webauthn's event), show the list with it.
document.addEventListener("otp_webauthn.register_complete", function (event) {
  var button = document.getElementById("passkey-register-button");
  var done = button && button.getAttribute("data-done-url");
  if (done) {
    window.location.assign(done);
  }
});

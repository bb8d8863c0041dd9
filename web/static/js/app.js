// SPDX-License-Identifier: EUPL-1.2
// Passport: progressive enhancement only. Every page works without this file.
(function () {
  'use strict';
  // Move focus to the first error summary so that screen readers announce it.
  var alert = document.querySelector('.alert-error[role="alert"]');
  if (alert) {
    alert.setAttribute('tabindex', '-1');
    alert.focus();
  }
})();

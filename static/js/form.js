// Small enhancements for public forms. Every form works without this file.
(function () {
  "use strict";

  // After a failed submit, move focus to the list of problems so screen
  // readers announce it and keyboard users start from it.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }

  // Crisis guidance appears as soon as someone answers yes, not after submit.
  var crisisPanel = document.getElementById("crisis-panel");
  var selfHarmAnswers = document.querySelectorAll('input[name="self_harm"]');
  function updateCrisisPanel() {
    var yes = document.querySelector('input[name="self_harm"][value="yes"]:checked');
    crisisPanel.hidden = !yes;
  }
  if (crisisPanel) {
    selfHarmAnswers.forEach(function (answer) {
      answer.addEventListener("change", updateCrisisPanel);
    });
    // This file is deferred: someone (or the browser restoring a page) may
    // have answered before it ran. Match what is already chosen.
    updateCrisisPanel();
  }

  // The call-times label names the chosen clinic's time zone.
  var locationSelect = document.getElementById("id_location");
  var zoneLabel = document.getElementById("call-times-zone");
  function updateZoneLabel() {
    var option = locationSelect.options[locationSelect.selectedIndex];
    var zone = option && option.getAttribute("data-zone-label");
    zoneLabel.textContent = zone ? "(" + zone + ")" : zoneLabel.getAttribute("data-generic");
  }
  if (locationSelect && zoneLabel) {
    locationSelect.addEventListener("change", updateZoneLabel);
    updateZoneLabel();
  }

  // The call times listed are one clinic's: hide them (and choose "call me
  // when you can") while another clinic is selected. Without this file the
  // server says so instead.
  var slotPicker = document.getElementById("slot-picker");
  function updateSlotPicker() {
    var same = locationSelect.value === slotPicker.getAttribute("data-location");
    slotPicker.hidden = !same;
    if (!same) {
      document.getElementById("id_slot_0").checked = true;
    }
  }
  if (locationSelect && slotPicker) {
    locationSelect.addEventListener("change", updateSlotPicker);
    updateSlotPicker();
  }

  // A second click while the first submit is on its way is ignored. The server
  // would merge it anyway; this just saves a round trip.
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sent")) {
        event.preventDefault();
      }
      form.setAttribute("data-sent", "1");
    });
  });
  // Coming back with the Back button must give a form that can be sent again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sent]").forEach(function (form) {
      form.removeAttribute("data-sent");
    });
  });
})();

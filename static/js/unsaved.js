// Nothing typed may be lost: warn before leaving a page whose form holds unsaved changes.
// A form opts in with data-warn-unsaved; its fields may sit anywhere on the page (the HTML form
// attribute), which form.elements already follows. Submitting that form clears the warning.
// "Mark all present" ticks the boxes in place instead of saving, so the facilitator can still
// mark the absent before saving; without JavaScript the same button saves with everyone present.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-warn-unsaved]");
  if (!forms.length) return;
  var dirty = false;
  var note = document.querySelector("[data-unsaved-note]");

  function setDirty(value) {
    dirty = value;
    if (note) note.hidden = !value;
  }

  forms.forEach(function (form) {
    Array.prototype.forEach.call(form.elements, function (el) {
      el.addEventListener("input", function () { setDirty(true); });
      el.addEventListener("change", function () { setDirty(true); });
    });
    form.addEventListener("submit", function () { setDirty(false); });
  });

  document.querySelectorAll("[data-mark-all]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var value = button.getAttribute("data-mark-all");
      var owner = button.form;
      if (!owner) return;
      Array.prototype.forEach.call(owner.elements, function (el) {
        if (el.type === "radio" && el.value === value && el.name.indexOf("row_") === 0) {
          el.checked = true;
        }
      });
      setDirty(true);
    });
  });

  window.addEventListener("beforeunload", function (event) {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = "";
  });
})();

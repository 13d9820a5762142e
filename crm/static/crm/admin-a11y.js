// The admin's autocomplete (select2) draws a combobox without an accessible name: name it
// by its field's label (axe-core: aria-input-field-name). Select2 starts on page load.
"use strict";
window.addEventListener("load", () => {
  document.querySelectorAll("select.admin-autocomplete").forEach((select) => {
    const label = document.querySelector(`label[for="${select.id}"]`);
    const box = select.nextElementSibling && select.nextElementSibling.querySelector(".select2-selection");
    if (!label || !box) return;
    label.id = label.id || `${select.id}-label`;
    // The box and the text showing the choice inside it (role textbox) both need the name.
    [box, ...box.querySelectorAll("[role=textbox]")].forEach((part) => {
      part.setAttribute("aria-labelledby", label.id);
    });
  });
});

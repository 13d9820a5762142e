// The admin's autocomplete (select2) draws a combobox without an accessible name: name it
// by its field's label (axe-core: aria-input-field-name). Select2 sets its own
// aria-labelledby when it starts (inline rows may start after the page's load) and after
// each choice, so the name is set again whenever that attribute or the page changes.
"use strict";
function nameAutocompletes() {
  document.querySelectorAll("select.admin-autocomplete").forEach((select) => {
    const label = document.querySelector(`label[for="${select.id}"]`);
    const box = select.nextElementSibling && select.nextElementSibling.querySelector(".select2-selection");
    if (!label || !box) return;
    label.id = label.id || `${select.id}-label`;
    // The box and the text showing the choice inside it (role textbox) both need the name.
    [box, ...box.querySelectorAll("[role=textbox]")].forEach((part) => {
      if (part.getAttribute("aria-labelledby") !== label.id) part.setAttribute("aria-labelledby", label.id);
    });
  });
}
window.addEventListener("load", () => {
  nameAutocompletes();
  new MutationObserver(nameAutocompletes).observe(document.body, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["aria-labelledby"],
  });
});

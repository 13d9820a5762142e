// Enhancement only: apply a filter as soon as a box is ticked (the Apply button stays),
// then bring keyboard and screen-reader users back to the box they ticked.
(function () {
  var KEY = "directory-filter-focus";
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.id === "filters" && event.target.type !== "search") {
      try { sessionStorage.setItem(KEY, event.target.id); } catch (e) {}
      form.submit();
    }
  });
  var id = null;
  try { id = sessionStorage.getItem(KEY); sessionStorage.removeItem(KEY); } catch (e) {}
  var box = id && document.getElementById(id);
  if (box) {
    var details = box.closest("details");
    if (details) { details.open = true; }
    box.focus();
  }
})();

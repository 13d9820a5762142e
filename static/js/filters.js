// Enhancement only: apply a filter as soon as a box is ticked (the Apply button stays).
document.addEventListener("change", function (event) {
  var form = event.target.form;
  if (form && form.id === "filters" && event.target.type !== "search") {
    form.submit();
  }
});

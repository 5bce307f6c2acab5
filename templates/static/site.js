// Small enhancements of the results page; without JavaScript every control still works.
// * the sort applies as soon as it changes (the Apply button is then hidden);
// * on narrow screens the filters start closed, so the first result is in view.
(function () {
  "use strict";
  document.querySelectorAll("form.sort").forEach(function (form) {
    var select = form.querySelector("select"), button = form.querySelector("button.apply");
    if (!select || !button) { return; }
    button.hidden = true;
    select.addEventListener("change", function () { form.submit(); });
  });
  var box = document.querySelector("details.facets-box");
  if (box && window.matchMedia && window.matchMedia("(max-width: 48rem)").matches) { box.open = false; }
})();

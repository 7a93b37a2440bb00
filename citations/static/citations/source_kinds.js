// The source form asks only what the chosen kind of source prints: a fieldset marked
// "for-<kind>" (SourceAdmin.fieldsets) shows for those kinds, and always when it holds a
// value, so that nothing typed is ever out of sight.
(function () {
  "use strict";

  function holdsValue(fieldset) {
    return Array.from(fieldset.querySelectorAll("input, select, textarea")).some(
      (field) => field.type !== "hidden" && field.value.trim() !== "",
    );
  }

  function showFor(kind) {
    document.querySelectorAll("fieldset[class*='for-']").forEach((fieldset) => {
      const used = fieldset.classList.contains("for-" + kind) || holdsValue(fieldset);
      fieldset.style.display = used ? "" : "none";
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const kind = document.getElementById("id_kind");
    if (!kind) {
      return; // a read-only view shows every fieldset
    }
    showFor(kind.value);
    kind.addEventListener("change", () => showFor(kind.value));
  });
})();

/*
 * "Translate into…" (templates/admin/answers/answer/translate.html):
 *
 * - The slug follows the translated question as it is typed (letters a-z, digits and
 *   hyphens, accents dropped), until the editor types a slug of their own.
 * - The topic's name is asked for only for a language the topic has no name in yet (the
 *   field's data-needed-for lists them); the server asks again if it is missing.
 *
 * Without JavaScript every field shows and the slug is typed by hand.
 */
(function () {
  "use strict";

  function slugify(text) {
    return text
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9\s-]/g, "")
      .trim()
      .replace(/[\s-]+/g, "-")
      .slice(0, 200)
      .replace(/-+$/, "");
  }

  function start() {
    var question = document.getElementById("id_question");
    var slug = document.getElementById("id_slug");
    var language = document.getElementById("id_language");
    var topicName = document.getElementById("id_topic_name");
    if (!question || !slug || !language) return;

    var typedByHand = slug.value !== "" && slug.value !== slugify(question.value);
    slug.addEventListener("input", function () {
      typedByHand = slug.value !== "";
    });
    question.addEventListener("input", function () {
      if (!typedByHand) slug.value = slugify(question.value);
    });

    if (!topicName) return;
    var row = topicName.closest("[data-topic-name]");
    var neededFor = (topicName.getAttribute("data-needed-for") || "").split(" ");
    function showTopicName() {
      // A row with an error stays, whatever the language: the editor must read it.
      var needed = neededFor.indexOf(language.value) !== -1;
      row.hidden = !needed && !row.classList.contains("errors");
    }
    language.addEventListener("change", showTopicName);
    showTopicName();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

/*
 * Comments on a passage (templates/admin/answers/answer/comments_panel.html).
 *
 * - Select words in the answer (a textarea of the change form, or a section of the
 *   preview or the outside expert's page, marked data-comment-section) and press
 *   "Comment on the selection": the comment form gets the passage, with a few words
 *   before and after it that anchor it (desk/admin/comments.py, answers/models/comments.py).
 * - The panel's forms post by fetch and the panel is replaced by the one that comes back,
 *   so that nothing typed elsewhere on the page is reloaded away. A refused comment comes
 *   back in its form with the reason.
 * - "Show in the text" selects a comment's passage in the textarea, or highlights it on
 *   the page; on a page, every open comment's passage is highlighted.
 * - On a page that refused a step while comments were open (the approve page), resolving
 *   the last one shows the page again, with the step's form.
 *
 * - Leaving the page with a comment or reply typed but not sent asks first.
 *
 * Without JavaScript the forms post and come back as ordinary forms.
 */
(function () {
  "use strict";

  var CONTEXT = 40;
  var SECTIONS = ["short_answer", "research", "doctor_questions"];

  function squeeze(text) {
    return text.replace(/\s+/g, " ").trim();
  }

  function panel() {
    return document.getElementById("comments");
  }

  // The comment form gets the passage.
  function commentOn(section, quote, prefix, suffix) {
    var form = panel() && panel().querySelector("form.new-comment");
    if (!form) return;
    form.elements.section.value = section;
    form.elements.quote.value = quote;
    form.elements.prefix.value = prefix;
    form.elements.suffix.value = suffix;
    var shown = form.querySelector("blockquote.quoted");
    shown.textContent = quote;
    shown.hidden = !quote;
    form.scrollIntoView({ block: "center" });
    form.elements.body.focus({ preventScroll: true });
  }

  // The change form: a selection in a textarea.
  function textareaButton(textarea, section) {
    var button = document.createElement("button");
    button.type = "button"; // never submits the change form around it
    button.className = "button comment-on-selection";
    button.textContent = "Comment on the selection";
    button.hidden = true;
    // Above the textarea: markdownx's live preview follows it, and is found as its sibling.
    textarea.insertAdjacentElement("beforebegin", button);
    function update() {
      button.hidden = textarea.selectionEnd <= textarea.selectionStart || !panel();
    }
    ["select", "mouseup", "keyup", "input"].forEach(function (name) {
      textarea.addEventListener(name, update);
    });
    update();
    button.addEventListener("click", function () {
      var text = textarea.value;
      var start = textarea.selectionStart, end = textarea.selectionEnd;
      commentOn(
        section,
        squeeze(text.slice(start, end)),
        squeeze(text.slice(Math.max(0, start - CONTEXT), start)),
        squeeze(text.slice(end, end + CONTEXT))
      );
    });
  }

  // A page: the text of a section as patients read it, without the citation markers'
  // numbers, whitespace squeezed, with where each character came from.
  function pageText(root) {
    var text = "", where = [], space = true, block = null;
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        return node.parentElement.closest("sup.citation, .comment-on-selection")
          ? NodeFilter.FILTER_REJECT
          : NodeFilter.FILTER_ACCEPT;
      },
    });
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      var inBlock = node.parentElement.closest("p, li, h1, h2, h3, h4, h5, h6, blockquote, td, th");
      if (block && inBlock !== block && !space) {
        // Two blocks ("Is it safe?" "What does it cost?") read apart, as on the server.
        text += " ";
        where.push([node, 0]);
        space = true;
      }
      block = inBlock;
      for (var i = 0; i < node.data.length; i++) {
        var blank = /\s/.test(node.data[i]);
        if (blank && space) continue;
        text += blank ? " " : node.data[i];
        where.push([node, i]);
        space = blank;
      }
    }
    return { text: text, where: where };
  }

  function find(text, quote, prefix, suffix) {
    var best = -1, bestScore = -1;
    for (var at = text.indexOf(quote); at !== -1; at = text.indexOf(quote, at + 1)) {
      var score = 0, before = text.slice(0, at).trim(), after = text.slice(at + quote.length).trim();
      while (score < prefix.length && before[before.length - 1 - score] === prefix[prefix.length - 1 - score]) score++;
      var ahead = 0;
      while (ahead < suffix.length && after[ahead] === suffix[ahead]) ahead++;
      if (score + ahead > bestScore) { best = at; bestScore = score + ahead; }
    }
    return best;
  }

  function rangeOf(section, quote, prefix, suffix) {
    var root = document.querySelector('[data-comment-section="' + section + '"]');
    if (!root || !quote) return null;
    var page = pageText(root);
    var at = find(page.text, quote, prefix, suffix);
    if (at === -1) return null;
    var start = page.where[at], end = page.where[at + quote.length - 1];
    var range = document.createRange();
    range.setStart(start[0], start[1]);
    range.setEnd(end[0], end[1] + 1);
    return range;
  }

  function highlight(ranges) {
    if (!window.CSS || !CSS.highlights || !window.Highlight) return;
    CSS.highlights.set("commented", new Highlight(...ranges.filter(Boolean)));
  }

  // "Show in the text" only where the text is: not on the approve page, say.
  function offerShowing() {
    var text = document.querySelector("[data-comment-section]") ||
      SECTIONS.some(function (s) { var t = document.getElementById("id_" + s); return t && t.tagName === "TEXTAREA"; });
    document.querySelectorAll(".comments .show-passage").forEach(function (button) {
      button.hidden = !text;
    });
  }

  function highlightOpen() {
    offerShowing();
    if (!document.querySelector("[data-comment-section]") || !panel()) return;
    var ranges = [];
    panel().querySelectorAll(".thread.is-open").forEach(function (thread) {
      var d = thread.dataset;
      ranges.push(rangeOf(d.section, d.quote, d.prefix, d.suffix));
    });
    highlight(ranges);
  }

  function pageSelection() {
    var selection = window.getSelection();
    if (!selection.rangeCount || selection.isCollapsed) return null;
    var range = selection.getRangeAt(0);
    var start = range.startContainer.nodeType === 1 ? range.startContainer : range.startContainer.parentElement;
    var root = start.closest("[data-comment-section]");
    if (!root || !root.contains(range.endContainer)) return null;
    // The words selected, as pageText reads them.
    var page = pageText(root), from = -1, to = -1;
    for (var i = 0; i < page.where.length; i++) {
      // A character is selected if both its edges are in the range.
      var node = page.where[i][0], offset = page.where[i][1];
      var inside =
        range.comparePoint(node, offset) === 0 &&
        range.comparePoint(node, Math.min(offset + 1, node.data.length)) === 0;
      if (inside && from === -1) from = i;
      if (inside) to = i;
    }
    if (from === -1) return null;
    var quote = page.text.slice(from, to + 1).trim();
    if (!quote) return null;
    return {
      section: root.dataset.commentSection,
      quote: quote,
      prefix: page.text.slice(Math.max(0, from - CONTEXT), from).trim(),
      suffix: page.text.slice(to + 1, to + 1 + CONTEXT).trim(),
      rect: range.getBoundingClientRect(),
    };
  }

  function pageButton() {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "comment-on-selection";
    button.textContent = "Comment on the selection";
    button.hidden = true;
    button.style.position = "absolute";
    document.body.appendChild(button);
    var chosen = null;
    function update() {
      chosen = pageSelection();
      button.hidden = !chosen || !panel();
      if (chosen) {
        button.style.left = window.scrollX + chosen.rect.left + "px";
        button.style.top = window.scrollY + chosen.rect.bottom + 6 + "px";
      }
    }
    // Whatever changed the selection (mouse, keyboard, a selection made before this ran).
    var pending = null;
    document.addEventListener("selectionchange", function () {
      clearTimeout(pending);
      pending = setTimeout(update, 50);
    });
    update();
    // Pressing the button must not take the selection away.
    button.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    button.addEventListener("click", function () {
      if (!chosen) return;
      commentOn(chosen.section, chosen.quote, chosen.prefix, chosen.suffix);
      button.hidden = true;
    });
  }

  // "Show in the text".
  function show(thread) {
    var d = thread.dataset;
    var textarea = document.getElementById("id_" + d.section);
    if (textarea && textarea.tagName === "TEXTAREA") {
      var words = d.quote.split(" ").map(function (word) {
        return word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      });
      var match =
        new RegExp(words.join("\\s+")).exec(textarea.value) ||
        // Selected on the page: the Markdown may have markers ([9]) and emphasis between.
        new RegExp(words.join("(?:\\s|\\[[\\d,\\s\u2013-]+\\]|[*_`])+")).exec(textarea.value);
      if (match) {
        textarea.focus();
        textarea.setSelectionRange(match.index, match.index + match[0].length);
        textarea.scrollIntoView({ block: "center" });
      }
      return;
    }
    var range = rangeOf(d.section, d.quote, d.prefix, d.suffix);
    if (range) {
      highlight([range]);
      range.startContainer.parentElement.scrollIntoView({ block: "center" });
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".comments .show-passage");
    if (button) show(button.closest(".thread"));
  });

  // The panel's forms, by fetch.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.closest(".comments") || !window.fetch) return;
    event.preventDefault();
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        if (response.status === 410) throw new Error("closed");
        if (response.redirected || response.status === 403) throw new Error("refused");
        if (response.status !== 200 && response.status !== 400) throw new Error("failed");
        return response.text();
      })
      .then(function (html) {
        if (html.indexOf('id="comments"') === -1) throw new Error("failed");
        // What is typed in the other boxes stays typed (the one just sent comes back empty).
        var typed = {};
        panel().querySelectorAll("textarea").forEach(function (box) {
          if (!form.contains(box) && box.value) typed[box.id] = box.value;
        });
        panel().outerHTML = html;
        Object.keys(typed).forEach(function (id) {
          var box = document.getElementById(id);
          if (box && !box.value) box.value = typed[id];
        });
        var anythingTyped = Array.prototype.some.call(
          document.querySelectorAll("textarea, input[type=text]"),
          function (box) { return box.value.trim() && !box.readOnly && box.offsetParent; }
        );
        if (panel().dataset.open === "0" && document.querySelector("[data-reload-when-resolved]") && !anythingTyped) {
          // The approve page refused for the open comments: show it again, with its form.
          window.location.reload();
          return;
        }
        highlightOpen();
        var focused = document.querySelector("#comments .errornote");
        if (focused) focused.scrollIntoView({ block: "center" });
      })
      .catch(function (error) {
        buttons.forEach(function (b) { b.disabled = false; });
        var note = form.querySelector(".errornote") || document.createElement("p");
        note.className = "errornote";
        note.setAttribute("role", "alert");
        var inAdmin = form.action.indexOf("/admin/") !== -1;
        note.textContent = {
          closed: "This review link no longer works: nothing was saved. Copy your text and ask the reviewer who sent the link for a new one.",
          refused: inAdmin
            ? "You are signed out: nothing was saved. Sign in again in another tab, then press the button again (your text stays here)."
            : "The page is too old to send from: nothing was saved. Copy your text, reload the page and send it again.",
          failed: "The comment could not be sent: nothing was saved. Try again (your text stays here).",
        }[error.message] || "The comment could not be sent: nothing was saved. Try again (your text stays here).";
        form.prepend(note);
      });
  });

  window.addEventListener("beforeunload", function (event) {
    var unsent = panel() && Array.prototype.some.call(panel().querySelectorAll("textarea"), function (box) {
      return box.value.trim();
    });
    if (unsent) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    SECTIONS.forEach(function (section) {
      var textarea = document.getElementById("id_" + section);
      if (textarea && textarea.tagName === "TEXTAREA") textareaButton(textarea, section);
    });
    offerShowing();
    if (document.querySelector("[data-comment-section]")) {
      pageButton();
      highlightOpen();
    }
  });
})();

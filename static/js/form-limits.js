/*
 * Admin forms: refuse, before sending, a text the server would refuse for its size, with a
 * message next to the field. Nothing is sent, so the text stays where it is.
 *
 * A textarea gives its limit in data-max-chars (Markdown fields, the import box), never as
 * maxlength: a browser cuts a paste at maxlength without a word. An input has Django's
 * maxlength. This script's element gives the largest form the server reads at all
 * (data-request-max-bytes, Django's DATA_UPLOAD_MAX_MEMORY_SIZE).
 */
(function () {
  "use strict";

  const requestLimit = Number(document.currentScript.dataset.requestMaxBytes) || Infinity;
  const TEXT_TYPES = ["textarea", "text", "search", "url", "email", "tel"];

  function number(value) {
    return value.toLocaleString("en-GB");
  }

  function megabytes(bytes) {
    return (bytes / 1048576).toLocaleString("en-GB", { maximumFractionDigits: 1 }) + " MB";
  }

  function limitOf(field) {
    const declared = Number(field.dataset.maxChars);
    if (declared > 0) return declared;
    return field.maxLength > 0 ? field.maxLength : Infinity;
  }

  // What the browser will send: urlencoded, with every line break as CR LF.
  function encodedSize(form, submitter) {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form, submitter)) {
      params.append(name, typeof value === "string" ? value.replace(/\r?\n/g, "\r\n") : "");
    }
    return params.toString().length;
  }

  function messageId(field) {
    return (field.id || field.name) + "_limit";
  }

  function clearMessages(form) {
    for (const message of form.querySelectorAll(".form-limit-message")) message.remove();
    for (const field of form.querySelectorAll("[data-form-limit-refused]")) {
      const described = (field.getAttribute("aria-describedby") || "").split(" ");
      const others = described.filter((id) => id !== messageId(field));
      field.setAttribute("aria-describedby", others.join(" "));
      field.removeAttribute("data-form-limit-refused");
      field.removeAttribute("aria-invalid");
      const row = field.closest(".form-row");
      if (row) row.classList.remove("errors");
    }
  }

  function refuse(field, text) {
    const list = document.createElement("ul");
    list.className = "errorlist form-limit-message";
    list.id = messageId(field);
    list.setAttribute("role", "alert");
    const item = document.createElement("li");
    item.textContent = text;
    list.append(item);
    const row = field.closest(".form-row");
    if (row) {
      row.classList.add("errors");
      row.prepend(list);
    } else {
      field.before(list);
    }
    field.setAttribute("data-form-limit-refused", "");
    field.setAttribute("aria-invalid", "true");
    const described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", described ? `${described} ${list.id}` : list.id);
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.method !== "post") return;
    clearMessages(form);
    const fields = Array.from(form.elements).filter(
      (field) => field.name && !field.disabled && TEXT_TYPES.includes(field.type)
    );
    const tooLong = fields.filter((field) => field.value.length > limitOf(field));
    for (const field of tooLong) {
      refuse(
        field,
        `This text is ${number(field.value.length)} characters; the limit is ` +
          `${number(limitOf(field))}. Nothing was sent; shorten it and save again.`
      );
    }
    if (!tooLong.length && fields.length && encodedSize(form, event.submitter) > requestLimit) {
      const longest = fields.reduce((a, b) => (b.value.length > a.value.length ? b : a));
      tooLong.push(longest);
      refuse(
        longest,
        `This text is ${number(longest.value.length)} characters: more than the form can ` +
          `send (${megabytes(requestLimit)} in all). Nothing was sent; shorten it and save again.`
      );
    }
    if (tooLong.length) {
      event.preventDefault();
      // A huge text makes a tall field: show the message, not the end of the text.
      tooLong[0].focus({ preventScroll: true });
      document.getElementById(messageId(tooLong[0])).scrollIntoView({ block: "center" });
    }
  });
})();

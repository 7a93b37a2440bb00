/*
 * No typed word is lost: the answer's change form (and its add form) keeps what is typed and
 * offers it back after a closed tab, a crash or an expired session.
 *
 * - A copy in this browser: each change to a kept field (the three sections and the reason
 *   for the change) is written to localStorage at once, under the person and the answer
 *   ("add" on the add form), with the version the form started from and the time. Typing
 *   back to what is stored removes it.
 * - A copy on the server (existing answers only, desk.Autosave): every AUTOSAVE_MS while the
 *   form differs from what is stored, so that it is offered on another machine too.
 * - On load, the newer copy that differs from what the server sent is offered above the
 *   form. "Put it back" fills the fields, firing input events so that the previews follow,
 *   and the version the text started from: if someone saved the answer since, the first
 *   Save is refused with their name, as any stale save is, and the second keeps the text.
 * - Before a save is sent, the server is asked whether the person is still signed in. If
 *   not, the copy stays and they are sent to sign in, with `next` back to this form.
 * - A refused save comes back as this form with its errors: the copy stays. A save that
 *   succeeded is confirmed by a cookie the server sets (the page after it may be the list,
 *   which runs no script); the next form opened drops the copy it confirms.
 * - Leaving with unsaved changes asks first (beforeunload), except when saving.
 *
 * The server's half is desk/keep_typing.py; its settings are in #keep-typing-settings.
 * Nothing here is a form: the endpoints are called with fetch and the form's CSRF token.
 */
(function () {
  "use strict";

  const AUTOSAVE_MS = 12000;
  const SESSION_CHECK_MS = 10000;

  const form = document.getElementById("answer_form");
  const settingsElement = document.getElementById("keep-typing-settings");
  if (!form || !settingsElement) return;
  const settings = JSON.parse(settingsElement.textContent);
  const fields = settings.fields
    .map((name) => form.elements.namedItem(name))
    .filter((field) => field && !field.disabled && !field.readOnly);
  if (!fields.length) return; // a read-only form: nothing can be typed

  const versionField = form.elements.namedItem("edit_version");
  const box = document.getElementById("keep-typing");
  const offer = box.querySelector(".keep-typing-offer");
  const status = box.querySelector(".keep-typing-status");
  const prefix = "qasite.keep-typing.";
  const storageKey = `${prefix}${settings.user}.${settings.key}`;

  // What the server sent (a field's default value: a browser's own restore leaves it).
  const stored = Object.fromEntries(fields.map((field) => [field.name, field.defaultValue]));
  const startedFrom = versionField ? versionField.defaultValue : "";
  // The server refused a save and shows the form again: it holds text that is not stored.
  const refused = Boolean(form.querySelector(".errornote"));

  let otherEdits = false; // a change outside the kept fields: citations, authors, question
  let leaving = false; // saving, or off to sign in with the copy kept
  let checking = false;
  let checked = false;
  let timer = null;
  let sending = Promise.resolve();
  let lastSent = null;

  // Texts. A copy holds only the fields the person changed, so that putting it back leaves
  // the others as they are stored now, whoever changed them since.

  function normalised(text) {
    return String(text).replace(/\r\n?/g, "\n");
  }

  function isStored(field, text) {
    return normalised(text) === normalised(stored[field.name]);
  }

  // What is not stored: the fields changed; on a refused save's form, all of them.
  function unsaved() {
    const texts = {};
    for (const field of fields) {
      if (refused || !isStored(field, field.value)) texts[field.name] = field.value;
    }
    return texts;
  }

  function changedIn(copy) {
    return fields.filter((field) => field.name in copy && !isStored(field, copy[field.name]));
  }

  function sameCopy(a, b) {
    const names = Object.keys(a);
    return (
      names.length === Object.keys(b).length &&
      names.every((name) => name in b && normalised(a[name]) === normalised(b[name]))
    );
  }

  function isEmpty(texts) {
    return Object.keys(texts).length === 0;
  }

  function isDirty() {
    return otherEdits || !isEmpty(unsaved());
  }

  function version() {
    return versionField ? versionField.value : "";
  }

  // The copy in this browser

  function readCopy(key) {
    try {
      const copy = JSON.parse(localStorage.getItem(key));
      return copy && typeof copy.texts === "object" ? copy : null;
    } catch (error) {
      return null; // storage switched off, or not ours
    }
  }

  function writeCopy(copy) {
    try {
      localStorage.setItem(storageKey, JSON.stringify(copy));
    } catch (error) {
      say(
        "This browser could not keep a copy of your text (it may be too large): " +
          "save before you close this page."
      );
    }
  }

  function forgetCopy(key = storageKey) {
    try {
      localStorage.removeItem(key);
    } catch (error) {
      // storage switched off: nothing was kept
    }
  }

  // `sent`: the copy of a save on its way, which the server's confirmation will drop.
  function keep(sent = false) {
    const texts = unsaved();
    if (isEmpty(texts)) {
      forgetCopy();
      return;
    }
    const now = Date.now();
    writeCopy({ texts, startedFrom: version(), savedAt: now, submittedAt: sent ? now : null });
  }

  // The server's confirmation of saves: "user:answer:version" entries, "|" between them.
  function dropSavedCopies() {
    const name = settings.saved_cookie;
    const cookie = document.cookie.split("; ").find((c) => c.startsWith(`${name}=`));
    if (!cookie) return;
    const others = [];
    for (const entry of cookie.slice(name.length + 1).split("|")) {
      const [user, key, savedFrom] = entry.split(":");
      if (user !== String(settings.user)) {
        if (entry) others.push(entry);
        continue;
      }
      const copy = readCopy(`${prefix}${user}.${key}`);
      // Only the copy that was sent, not one typed into after it (back to the form).
      if (copy && copy.submittedAt === copy.savedAt && String(copy.startedFrom) === savedFrom) {
        forgetCopy(`${prefix}${user}.${key}`);
      }
    }
    const expiry = others.length ? "" : "; max-age=0";
    const secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie =
      `${name}=${others.join("|")}${expiry}; path=${settings.admin_path}; SameSite=Lax${secure}`;
  }

  // Saying what happened

  function say(text) {
    status.textContent = text;
    box.hidden = false;
  }

  function clock(time) {
    const date = new Date(time);
    const hours = date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
    if (date.toDateString() === new Date().toDateString()) return `at ${hours}`;
    const day = date.toLocaleDateString("en-GB", { day: "numeric", month: "short" });
    return `on ${day} at ${hours}`;
  }

  // The offer

  function serverCopy() {
    const copy = settings.server_copy;
    if (!copy) return null;
    return {
      texts: copy.texts,
      startedFrom: copy.started_from,
      savedAt: Date.parse(copy.saved_at),
      onServer: true,
    };
  }

  function offerCopy() {
    let local = readCopy(storageKey);
    if (local && !changedIn(local.texts).length) {
      forgetCopy(); // what it holds is what is stored
      local = null;
    }
    let server = serverCopy();
    if (local && server && sameCopy(local.texts, server.texts)) server = null; // one text
    const copies = [local, server].filter((copy) => copy && changedIn(copy.texts).length);
    if (!copies.length) return;
    const copy = copies.reduce((newer, other) => (other.savedAt > newer.savedAt ? other : newer));

    offer.querySelector(".keep-typing-when").textContent =
      `You have text typed ${clock(copy.savedAt)} that was not saved` +
      (copy.onServer ? " (kept on the server from this or another browser)." : ".");
    const labels = changedIn(copy.texts).map(labelOf).join("; ");
    offer.querySelector(".keep-typing-fields").textContent = `In: ${labels}.`;
    const conflict = offer.querySelector(".keep-typing-conflict");
    if (copy.startedFrom && String(copy.startedFrom) !== startedFrom) {
      conflict.textContent =
        "This answer was saved again after you started typing. If you put your text back " +
        "and save, you will first be told who saved it and when; save again to keep yours.";
      conflict.hidden = false;
    }
    offer.querySelector(".keep-typing-restore").addEventListener("click", () => putBack(copy));
    offer.querySelector(".keep-typing-discard").addEventListener("click", discard);
    offer.hidden = false;
    box.hidden = false;
  }

  function labelOf(field) {
    const label = form.querySelector(`label[for="${field.id}"]`);
    return label ? label.textContent.trim().replace(/:$/, "") : field.name;
  }

  function putBack(copy) {
    if (versionField && copy.startedFrom) versionField.value = copy.startedFrom;
    for (const field of fields) {
      if (typeof copy.texts[field.name] !== "string") continue; // not changed: left as stored
      field.value = copy.texts[field.name];
      field.dispatchEvent(new Event("input", { bubbles: true })); // the preview follows
    }
    offer.hidden = true;
    say("Your text is back in the form. Save to keep it.");
  }

  function discard() {
    forgetCopy();
    if (settings.server_copy) post(settings.discard_url, new URLSearchParams());
    offer.hidden = true;
    say("Discarded: the form shows the answer as it is stored.");
  }

  // The copy on the server

  function post(url, body, options = {}) {
    return fetch(url, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": form.elements.namedItem("csrfmiddlewaretoken").value },
      ...options,
    });
  }

  function limitOf(field) {
    const declared = Number(field.dataset.maxChars);
    if (declared > 0) return declared;
    return field.maxLength > 0 ? field.maxLength : Infinity;
  }

  function scheduleAutosave() {
    if (!settings.autosave_url || timer || leaving) return;
    timer = setTimeout(autosave, AUTOSAVE_MS);
  }

  function autosave(options = {}) {
    clearTimeout(timer);
    timer = null;
    if (!settings.autosave_url || leaving) return;
    const texts = unsaved();
    if (lastSent && sameCopy(lastSent, texts)) return;
    if (isEmpty(texts)) {
      // Typed back to what is stored: a copy sent earlier would be offered for nothing.
      if (lastSent) sending = post(settings.discard_url, new URLSearchParams(), options);
      lastSent = null;
      return;
    }
    const tooLong = fields.find((field) => field.value.length > limitOf(field));
    if (tooLong) {
      say("Not kept on the server: a text is over its limit. It is kept in this browser.");
      return;
    }
    const body = new URLSearchParams({ ...texts, started_from: version() });
    sending = post(settings.autosave_url, body, options)
      .then(async (response) => {
        const answer = await response.json().catch(() => ({}));
        if (response.ok) {
          lastSent = texts;
          say(`Kept on the server ${clock(answer.saved_at)}.`);
        } else {
          say(
            answer.error ||
              `Not kept on the server (error ${response.status}). It is kept in this browser.`
          );
        }
      })
      .catch(() => say("Not kept on the server (no connection). It is kept in this browser."));
  }

  // Saving

  async function sessionStatus() {
    try {
      const response = await fetch(settings.session_url, {
        credentials: "same-origin",
        cache: "no-store",
        signal: AbortSignal.timeout(SESSION_CHECK_MS),
      });
      return response.ok ? await response.json() : null;
    } catch (error) {
      return null; // not known: the save goes, and the server says what happened
    }
  }

  // On window, so that it runs after every listener on the document (form-limits.js may
  // refuse the save there, and the copy then simply stays).
  window.addEventListener("submit", async (event) => {
    if (event.target !== form) return;
    if (event.defaultPrevented) {
      checked = false;
      return;
    }
    if (checked) {
      // Checked and on its way: the copy stays until the server confirms the save.
      checked = false;
      leaving = true;
      clearTimeout(timer);
      keep(true);
      return;
    }
    event.preventDefault();
    if (checking) return;
    checking = true;
    const submitter = event.submitter;
    const session = await sessionStatus();
    if (session && (!session.signed_in || session.user !== settings.user)) {
      keep();
      leaving = true;
      const back = location.pathname + location.search;
      location.assign(
        `${settings.login_url}?next=${encodeURIComponent(back)}&session=expired`
      );
      return;
    }
    if (session && session.csrf_token) {
      form.elements.namedItem("csrfmiddlewaretoken").value = session.csrf_token;
    }
    await sending; // an autosave landing after the save would keep a copy of saved text
    checking = false;
    checked = true;
    if (submitter) form.requestSubmit(submitter);
    else form.requestSubmit();
  });

  // Typing

  form.addEventListener("input", (event) => {
    if (fields.includes(event.target)) {
      keep();
      scheduleAutosave();
    } else {
      otherEdits = true;
    }
  });
  form.addEventListener("change", (event) => {
    if (!fields.includes(event.target)) otherEdits = true;
  });

  window.addEventListener("beforeunload", (event) => {
    if (leaving || !isDirty()) return;
    event.preventDefault();
    event.returnValue = ""; // older browsers ask only when this is set
  });
  // Back to this page from the browser's cache after leaving it: it can be left again.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) leaving = checking = false;
  });
  // A tab hidden or closed: send what the timer would have sent, while it still can.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && timer) autosave({ keepalive: true });
  });

  dropSavedCopies();
  if (refused) keep();
  else offerCopy();
})();

// The desk without a mouse: one key per outcome and rating, Ctrl+Enter saves and opens
// the next call, J/K move through the list, / searches, ? shows the keys.
(function () {
  "use strict";
  const FIELDS = { m: "mileage", e: "note", c: "complaint" };

  function typing(target) {
    return target.closest && target.closest("input:not([type=radio]):not([type=checkbox]), textarea, select, [contenteditable]");
  }

  function form() {
    return document.querySelector("#card form.result");
  }

  // Card fields carry the task in their ids (so htmx never refocuses an old card's field
  // in the new one); find them by name.
  function field(name) {
    return form() && form().querySelector('[name="' + name + '"]');
  }

  function rows() {
    return Array.from(document.querySelectorAll("#list li.call[data-task-id]"));
  }

  function currentId() {
    const card = document.querySelector("#card .call-card[data-task-id]");
    return card ? card.dataset.taskId : null;
  }

  function openRow(step) {
    const list = rows();
    const id = currentId();
    const at = list.findIndex((row) => row.dataset.taskId === id);
    const target = at === -1 ? list[0] : list[at + step];
    if (target) {
      target.querySelector("a").click();
    } else if (id) {
      // Past the page's edge: the server knows the list's next (or previous) call.
      const listed = document.querySelector("#list ol.calls");
      const kind = listed && listed.dataset.kind ? "&kind=" + encodeURIComponent(listed.dataset.kind) : "";
      window.location.href = "/calls/" + id + "/next?step=" + step + kind;
    }
  }

  function choose(selector) {
    const input = form() && form().querySelector(selector);
    if (!input || input.disabled) return false;
    input.checked = true;
    input.focus();
    input.dispatchEvent(new Event("change", { bubbles: true }));
    if (input.value === "callback_later") field("callback_at").focus();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    const help = document.getElementById("keys-help");
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      const result = form();
      if (result) {
        event.preventDefault();
        if (window.htmx) window.htmx.process(result); // a card swapped in a moment ago
        result.requestSubmit();
      }
      return;
    }
    if (event.key === "Escape") {
      if (document.activeElement) document.activeElement.blur();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const key = event.key.toLowerCase();
    if (event.key === "?") {
      help.open ? help.close() : help.showModal();
    } else if (event.key === "/") {
      const search = document.getElementById("search");
      if (search) { search.focus(); search.select(); }
    } else if (key === "j") {
      openRow(1);
    } else if (key === "k") {
      openRow(-1);
    } else if (/^[1-5]$/.test(key)) {
      choose('input[name=satisfaction][value="' + key + '"]');
    } else if (key === "o") {
      const box = field("opt_out");
      if (box && !box.disabled) { box.checked = !box.checked; box.focus(); }
    } else if (FIELDS[key]) {
      const input = field(FIELDS[key]);
      if (input && !input.disabled) input.focus();
    } else if (!choose('input[name=outcome][data-key="' + key + '"]')) {
      return;
    }
    event.preventDefault();
  });

  // A new card (opened or after a save) takes the focus, so the next key is for it and not
  // for a field htmx would otherwise refocus because the new card has one of the same id.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target && event.detail.target.id === "card") {
      const card = document.querySelector("#card .call-card");
      if (!card) return;
      card.focus({ preventScroll: true });
      // A refused save shows its sentence; a new card starts at its top.
      const error = card.querySelector(".error");
      if (error) error.scrollIntoView({ block: "center" });
      else event.detail.target.scrollTop = 0;
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    const card = document.querySelector("#card .call-card");
    if (card && document.activeElement === document.body) card.focus();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-keys-help]")) document.getElementById("keys-help").showModal();
  });
})();

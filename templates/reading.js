/* The reading page: views (?view=…, remembered), the English folded away, headings that
   name what the view shows, notes in place. Without this script the page shows
   everything, in the edition's order, under the headings of that view. */
(function () {
  "use strict";
  var root = document.documentElement;
  var controls = document.querySelector(".page-controls");
  if (!controls) return;
  var buttons = Array.prototype.slice.call(controls.querySelectorAll("[data-view]"));
  var views = buttons.map(function (b) { return b.dataset.view; });
  var key = "briefpress-view";
  controls.hidden = false;

  /* the bilingual heading (and its contents entry) says "translation" while the English is hidden */
  var headings = Array.prototype.slice.call(document.querySelectorAll("section.bilingual:not(.translation-only) > h2"));
  headings.forEach(function (h) { h.dataset.bilingualHeading = h.textContent; });
  function retitle() {
    var view = root.getAttribute("data-view");
    var only = view === "translation" || (view === "bilingual" && root.classList.contains("fold-original"));
    headings.forEach(function (h) {
      var text = only ? controls.dataset.translationHeading : h.dataset.bilingualHeading;
      h.textContent = text;
      var id = h.parentNode.id;
      Array.prototype.forEach.call(document.querySelectorAll(".toc a"), function (a) {
        if (a.getAttribute("href") === "#" + id) a.textContent = text;
      });
    });
  }

  function show(view, remember) {
    if (views.indexOf(view) < 0) view = "all";
    root.setAttribute("data-view", view);
    buttons.forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.view === view)); });
    retitle();
    if (remember) {
      try { localStorage.setItem(key, view); } catch (e) { /* private browsing */ }
      var url = new URL(location.href);
      url.searchParams.set("view", view);
      history.replaceState(null, "", url);
    }
  }
  buttons.forEach(function (b) {
    b.addEventListener("click", function () { show(b.dataset.view, true); });
  });
  var stored = null;
  try { stored = localStorage.getItem(key); } catch (e) { /* private browsing */ }
  show(new URLSearchParams(location.search).get("view") || stored || "all", false);

  /* a link to a hidden place (#pair-12 in the brief view) shows the view that holds it */
  function reveal() {
    var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!target || target.getClientRects().length) return;
    show(target.closest(".pair, .bilingual") ? "bilingual" : "all", true);
    target.scrollIntoView();
  }
  addEventListener("hashchange", reveal);
  reveal();

  var fold = controls.querySelector(".fold");
  fold.addEventListener("click", function () {
    fold.setAttribute("aria-pressed", String(root.classList.toggle("fold-original")));
    retitle();
  });

  /* footnotes open in place; the notes list stays for those without popovers */
  var popover = document.createElement("div");
  if (!("showPopover" in popover)) return;
  popover.className = "note-popover";
  popover.setAttribute("popover", "auto");
  popover.setAttribute("role", "note");
  popover.tabIndex = -1;
  document.body.appendChild(popover);
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.noteref");
    if (!link) return;
    var note = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!note) return;
    event.preventDefault();
    var lang = (link.closest("[lang]") || root).lang;
    var parts = Array.prototype.slice.call(note.querySelectorAll(".note-part"));
    var part = parts.filter(function (p) { return p.lang === lang; })[0] || parts[0];
    var copy = part.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll(".backref"), function (b) { b.remove(); });
    popover.replaceChildren(copy);
    popover.setAttribute("lang", part.lang);
    var box = link.getBoundingClientRect();
    popover.style.left = Math.max(8, Math.min(box.left, innerWidth - 360)) + "px";
    popover.style.top = Math.min(box.bottom + 6, innerHeight - 120) + "px";
    popover.showPopover();
    popover.focus();
  });
})();

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

/* --qa: hovering or tapping a sentence lights up the sentences it is aligned with in the
   other language (each pair's data-qa: the sentences' spans in each side's text, and
   the beads that join them). Where the browser has no CSS highlights, nothing. */
(function () {
  "use strict";
  var pairs = document.querySelectorAll(".pair[data-qa]");
  if (!pairs.length || !(window.CSS && CSS.highlights && window.Highlight)) return;
  var lit = new Highlight();
  CSS.highlights.set("qa-counterpart", lit);
  var here = new Highlight();
  CSS.highlights.set("qa-sentence", here);

  function texts(box) {  /* the side's text nodes, from its first visible character */
    var walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    var nodes = [], skip = true, lead = 0, node;
    while ((node = walker.nextNode())) {
      if (skip) {
        var trimmed = node.data.replace(/^\s+/, "");
        if (!trimmed) continue;
        lead = node.data.length - trimmed.length;
        skip = false;
      }
      nodes.push(node);
    }
    return { nodes: nodes, lead: lead };
  }
  function range(box, span) {
    var t = texts(box), r = document.createRange(), at = -t.lead, started = false;
    for (var i = 0; i < t.nodes.length; i++) {
      var n = t.nodes[i], end = at + n.data.length;
      if (!started && span[0] < end) { r.setStart(n, Math.max(0, span[0] - at)); started = true; }
      if (started && span[1] <= end) { r.setEnd(n, Math.max(0, span[1] - at)); return r; }
      at = end;
    }
    return started ? r : null;
  }
  function offset(box, node, within) {  /* the caret's place in the side's text */
    var t = texts(box), at = -t.lead;
    for (var i = 0; i < t.nodes.length; i++) {
      if (t.nodes[i] === node) return at + within;
      at += t.nodes[i].data.length;
    }
    return -1;
  }
  function caret(x, y) {
    if (document.caretPositionFromPoint) {
      var p = document.caretPositionFromPoint(x, y);
      return p && { node: p.offsetNode, offset: p.offset };
    }
    var r = document.caretRangeFromPoint && document.caretRangeFromPoint(x, y);
    return r && { node: r.startContainer, offset: r.startOffset };
  }
  function light(event) {
    lit.clear();
    here.clear();
    var pair = event.target.closest && event.target.closest(".pair[data-qa]");
    var box = pair && event.target.closest(".orig, .trans");
    var at = box && caret(event.clientX, event.clientY);
    if (!at || !box.contains(at.node)) return;
    var qa = JSON.parse(pair.dataset.qa), side = box.classList.contains("orig") ? 0 : 1;
    var spans = side ? qa.t : qa.o, place = offset(box, at.node, at.offset), sentence = -1;
    spans.forEach(function (s, i) { if (place >= s[0] && place < s[1]) sentence = i; });
    var bead = qa.b.filter(function (b) { return b[side].indexOf(sentence) >= 0; })[0];
    if (!bead) return;
    var boxes = [pair.querySelector(".orig"), pair.querySelector(".trans")];
    [0, 1].forEach(function (s) {
      bead[s].forEach(function (i) {
        var r = boxes[s] && range(boxes[s], (s ? qa.t : qa.o)[i]);
        if (r) (s === side ? here : lit).add(r);
      });
    });
  }
  document.addEventListener("pointermove", light);
  document.addEventListener("click", light);  /* a tap */
})();

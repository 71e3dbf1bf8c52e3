/* Notebridge web: small enhancements over pages that already work without JavaScript. */
(function () {
  "use strict";

  // The viewer's time zone, for server-rendered times (read by web.middleware).
  try {
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz && document.cookie.indexOf("nb_tz=" + tz) === -1) {
      document.cookie = "nb_tz=" + encodeURIComponent(tz) + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* old browser: times stay in UTC */ }

  // --- waterfall: a grid whose rows are 4px, each card spanning its own height, so reading order is kept.
  function columnsFor(width) { return width >= 1100 ? 5 : width >= 768 ? 3 : 2; }
  function layout(grid) {
    grid.classList.add("is-masonry");
    grid.style.setProperty("--cols", columnsFor(window.innerWidth));
    var gap = window.innerWidth >= 768 ? 16 : 8;
    Array.prototype.forEach.call(grid.children, function (item) {
      if (item.classList.contains("more") || item.classList.contains("tr-batch")) return;
      item.style.gridRowEnd = "auto";
      item.style.alignSelf = "start";
      var h = item.getBoundingClientRect().height;
      item.style.gridRowEnd = "span " + Math.ceil((h + gap) / 4);
    });
  }
  function layoutAll() { document.querySelectorAll(".waterfall").forEach(layout); }
  var resizeTimer;
  window.addEventListener("resize", function () { clearTimeout(resizeTimer); resizeTimer = setTimeout(layoutAll, 120); });

  // --- carousel: native swipe (scroll snap), plus arrows and keyboard.
  function initCarousel(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "1";
    var track = root.querySelector(".carousel-track");
    var counter = root.querySelector("[data-current]");
    function index() { return Math.round(track.scrollLeft / track.clientWidth); }
    function go(delta) {
      var n = track.children.length;
      var next = Math.max(0, Math.min(n - 1, index() + delta));
      track.scrollTo({ left: next * track.clientWidth, behavior: "smooth" });
    }
    root.querySelectorAll("[data-dir]").forEach(function (b) {
      b.addEventListener("click", function () { go(parseInt(b.dataset.dir, 10)); });
    });
    track.addEventListener("keydown", function (e) {
      if (e.key === "ArrowRight") { go(1); e.preventDefault(); }
      if (e.key === "ArrowLeft") { go(-1); e.preventDefault(); }
    });
    track.addEventListener("scroll", function () { if (counter) counter.textContent = index() + 1; }, { passive: true });
  }

  // --- compose: drag to reorder, arrow buttons, remove without a round trip.
  function initTiles(list) {
    list.querySelectorAll("[data-move]").forEach(function (b) { b.hidden = false; });
    if (list.dataset.ready) return;
    list.dataset.ready = "1";
    var dragged = null;
    list.addEventListener("dragstart", function (e) {
      dragged = e.target.closest(".tile");
      if (dragged) { dragged.classList.add("is-dragging"); e.dataTransfer.effectAllowed = "move"; }
    });
    list.addEventListener("dragend", function () { if (dragged) dragged.classList.remove("is-dragging"); dragged = null; });
    list.addEventListener("dragover", function (e) {
      if (!dragged) return;
      e.preventDefault();
      var over = e.target.closest(".tile");
      if (!over || over === dragged) return;
      var rect = over.getBoundingClientRect();
      var after = (e.clientX - rect.left) > rect.width / 2;
      list.insertBefore(dragged, after ? over.nextSibling : over);
    });
    list.addEventListener("click", function (e) {
      var move = e.target.closest("[data-move]");
      var remove = e.target.closest("button[name=remove]");
      var tile = e.target.closest(".tile");
      if (move && tile) {
        if (move.dataset.move === "-1" && tile.previousElementSibling) list.insertBefore(tile, tile.previousElementSibling);
        if (move.dataset.move === "1" && tile.nextElementSibling) list.insertBefore(tile.nextElementSibling, tile);
        move.focus();
      } else if (remove && tile) {
        e.preventDefault();
        tile.remove();
      }
    });
  }

  // --- translation: a note's block, swapped in by htmx, carries its photos' alt texts (translated or
  // original) in hidden spans; the carousel's images take them, with their language.
  function applyAltTexts(root) {
    root.querySelectorAll("[data-alt-for]").forEach(function (span) {
      var img = document.querySelector('img[data-photo="' + span.dataset.altFor + '"]');
      if (!img) return;
      img.alt = span.textContent;
      if (span.lang) img.lang = span.lang; else img.removeAttribute("lang");
    });
  }

  // --- translation drafts: while a block is pending, its drafts (the translation so far, written by
  // the local model) are read every quarter second and shown in place of the original, labelled as a
  // draft; until the first words show, every tenth of a second, so that they show as soon as written.
  // When nothing is pending any more the block is asked for again ("tr-done"): the final, validated
  // translation replaces the draft, or the original comes back with the reason.
  var DRAFT_EVERY_MS = 250;
  var FIRST_WORDS_EVERY_MS = 100;
  var DRAFT_FOR_MS = 120000;  // two minutes; the block's own two-second poll carries on after that
  function streamDrafts(root) {
    var blocks = root.matches && root.matches(".translatable[data-partial-url]") ? [root] : root.querySelectorAll(".translatable[data-partial-url]");
    Array.prototype.forEach.call(blocks, function (block) {
      if (block.dataset.streaming) return;
      block.dataset.streaming = "1";
      var started = Date.now();
      var seenWords = false;
      function tick() {
        if (!block.isConnected) return;
        fetch(block.dataset.partialUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (data) {
            if (!data || !block.isConnected) return;
            var shown = false;
            Object.keys(data.fields || {}).forEach(function (name) {
              var el = block.querySelector('[data-tr-field="' + name + '"]');
              if (!el || !data.fields[name]) return;
              if (el.textContent !== data.fields[name]) el.textContent = data.fields[name];
              el.classList.add("tr-partial");
              el.lang = data.target;
              shown = true;
            });
            var label = block.querySelector(".tr-draft-label");
            if (shown && label) label.hidden = false;
            if (shown) seenWords = true;
            if (!data.pending) { htmx.trigger(block, "tr-done"); return; }
            if (Date.now() - started < DRAFT_FOR_MS) setTimeout(tick, seenWords ? DRAFT_EVERY_MS : FIRST_WORDS_EVERY_MS);
          })
          .catch(function () { /* the block's own poll still brings the result */ });
      }
      tick();
    });
  }

  // --- share: "Link copied" stands in for the button's label for a moment; the icon stays.
  function showCopied(share) {
    var label = share.querySelector(".label");
    var status = share.parentNode.querySelector("[data-share-status]");
    if (status) status.textContent = share.dataset.copied;
    if (!label) return;
    if (!share.dataset.label) share.dataset.label = label.textContent;
    label.textContent = share.dataset.copied;
    share.classList.add("is-copied");
    clearTimeout(share.restoreTimer);
    share.restoreTimer = setTimeout(function () {
      label.textContent = share.dataset.label;
      share.classList.remove("is-copied");
      if (status) status.textContent = "";
    }, 2000);
  }

  // --- video notes: the player starts muted (browsers allow muted autoplay); one tap turns the sound on.
  function initPlayer(section) {
    var video = section.querySelector("[data-player]");
    var sound = section.querySelector("[data-sound]");
    if (!video || !sound || sound.dataset.ready) return;
    sound.dataset.ready = "1";
    sound.hidden = false;
    function unmute() {
      video.muted = false;
      if (video.paused) video.play().catch(function () { /* the controls still play it */ });
    }
    sound.addEventListener("click", unmute);
    video.addEventListener("volumechange", function () {
      sound.hidden = !video.muted;
      sound.setAttribute("aria-pressed", video.muted ? "false" : "true");
    });
  }

  // Compose: the video goes up with the form; say which file was picked and how large it is.
  function initVideoPick(input) {
    var out = document.getElementById("video-chosen");
    if (!out || input.dataset.ready) return;
    input.dataset.ready = "1";
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      out.textContent = file ? out.dataset.chosen + " " + file.name + " (" + (file.size / 1048576).toFixed(1) + " MB)" : "";
    });
  }

  function init(root) {
    root.querySelectorAll(".note-video").forEach(initPlayer);
    root.querySelectorAll("#video-input").forEach(initVideoPick);
    root.querySelectorAll("[data-carousel]").forEach(initCarousel);
    root.querySelectorAll("[data-sortable]").forEach(initTiles);
    root.querySelectorAll("[data-share]").forEach(function (b) { b.hidden = false; });
    layoutAll();
  }

  document.addEventListener("click", function (e) {
    var share = e.target.closest("[data-share]");
    if (share) {
      var url = share.dataset.share;
      if (navigator.share) {
        navigator.share({ title: share.dataset.shareTitle, url: url }).catch(function () {});
      } else if (navigator.clipboard) {
        navigator.clipboard.writeText(url).then(function () { showCopied(share); });
      } else {
        window.prompt("", url);
      }
      return;
    }
    var reply = e.target.closest("[data-reply]");
    if (reply) {
      var form = document.querySelector(".comment-form");
      if (!form) return;
      e.preventDefault();
      form.querySelector("[data-reply-parent]").value = reply.dataset.reply;
      form.querySelector("[data-reply-name]").textContent = reply.dataset.replyTo;
      form.querySelector("[data-replying]").hidden = false;
      form.querySelector("textarea").focus();
      return;
    }
    var cancel = e.target.closest("[data-reply-cancel]");
    if (cancel) {
      var f = cancel.closest("form");
      f.querySelector("[data-reply-parent]").value = "";
      f.querySelector("[data-replying]").hidden = true;
      return;
    }
    var addTag = e.target.closest("[data-add-tag]");
    if (addTag) {
      var input = document.querySelector("input[name=tags]");
      var words = input.value.split(/[\s,，]+/).filter(Boolean);
      var last = input.value.match(/[^\s,，]+$/);
      if (last && addTag.dataset.addTag.toLowerCase().indexOf(last[0].replace(/^#/, "").toLowerCase()) === 0) words.pop();
      if (words.indexOf(addTag.dataset.addTag) === -1) words.push(addTag.dataset.addTag);
      input.value = words.join(" ") + " ";
      input.focus();
      // As if typed: the suggestions follow the field (htmx asks again, without the tag just added).
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) e.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    document.body.addEventListener("htmx:afterSettle", function (e) { init(e.target.closest("main") || document); });
    // Out-of-band swaps (a batch of card titles) settle elsewhere than the request's target: lay out again.
    document.body.addEventListener("htmx:oobAfterSwap", function () { layoutAll(); });
    document.body.addEventListener("htmx:load", function (e) { applyAltTexts(e.detail.elt); streamDrafts(e.detail.elt); });
    streamDrafts(document);
    document.body.addEventListener("htmx:afterRequest", function (e) {
      if (e.target.id === "photo-input") e.target.value = "";
    });
  });
  window.addEventListener("load", layoutAll);

  // --- onboarding: the people offered follow the interests being ticked (the form works without this).
  function initOnboarding(form) {
    var list = form.querySelector("ul.people");
    if (!list) return;
    var items = Array.prototype.slice.call(list.children);
    items.forEach(function (li, i) {
      var box = li.querySelector("input[name=follow]");
      li.dataset.order = i;
      box.dataset.preset = box.checked ? "1" : "";
      box.addEventListener("change", function () { box.dataset.touched = "1"; });
    });
    function follow() {
      var chosen = {};
      form.querySelectorAll("input[name=interests]:checked").forEach(function (b) { chosen[b.value] = true; });
      function score(li) {
        return (li.dataset.interests || "").split(" ").filter(function (t) { return chosen[t]; }).length;
      }
      var any = items.some(function (li) { return score(li) > 0; });  // else keep the first few
      items.slice().sort(function (a, b) { return score(b) - score(a) || a.dataset.order - b.dataset.order; })
        .forEach(function (li, rank) {
          list.appendChild(li);
          var box = li.querySelector("input[name=follow]");
          if (box.dataset.touched) return;
          box.checked = any ? (score(li) > 0 && rank < 3) : box.dataset.preset === "1";
        });
    }
    form.querySelectorAll("input[name=interests]").forEach(function (b) { b.addEventListener("change", follow); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-onboarding]").forEach(initOnboarding);
  });

  // --- search suggestions as you type (the form works without them): tags, people, popular searches.
  function initSuggest(form) {
    var input = form.querySelector("input[name=q]");
    var box = form.querySelector(".suggestions");
    if (!input || !box || form.dataset.ready) return;
    form.dataset.ready = "1";
    var timer, last = "", controller = null;
    function hide() { box.hidden = true; box.textContent = ""; input.setAttribute("aria-expanded", "false"); }
    function group(title, items) {
      if (!items.length) return;
      var h = document.createElement("p");
      h.className = "suggest-h";
      h.textContent = title;
      box.appendChild(h);
      items.forEach(function (it) {
        var a = document.createElement("a");
        a.href = it.url;
        a.setAttribute("role", "option");
        a.className = "suggest-item";
        a.textContent = it.label;
        box.appendChild(a);
      });
    }
    function show(data) {
      box.textContent = "";
      group(box.dataset.labelTags, data.tags.map(function (t) { return { url: t.url, label: "#" + t.display }; }));
      group(box.dataset.labelPeople, data.people.map(function (p) { return { url: p.url, label: p.name + " @" + p.username }; }));
      group(box.dataset.labelQueries, data.queries.map(function (q) { return { url: q.url, label: q.text }; }));
      box.hidden = !box.children.length;
      input.setAttribute("aria-expanded", box.hidden ? "false" : "true");
    }
    function ask() {
      var q = input.value.trim();
      if (q === last) return;
      last = q;
      if (!q) { hide(); return; }
      if (controller) controller.abort();
      controller = "AbortController" in window ? new AbortController() : null;
      fetch(form.dataset.suggest + "?q=" + encodeURIComponent(q.slice(0, 200)), {
        credentials: "same-origin", signal: controller ? controller.signal : undefined
      }).then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data && input.value.trim() === q) show(data); })
        .catch(function () { /* a lost answer loses only suggestions */ });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 150); });
    input.addEventListener("keydown", function (e) {
      var items = box.querySelectorAll(".suggest-item");
      if (e.key === "Escape") { hide(); return; }
      if (e.key === "ArrowDown" && items.length) { e.preventDefault(); items[0].focus(); }
    });
    box.addEventListener("keydown", function (e) {
      var items = Array.prototype.slice.call(box.querySelectorAll(".suggest-item"));
      var i = items.indexOf(document.activeElement);
      if (e.key === "ArrowDown" && i < items.length - 1) { e.preventDefault(); items[i + 1].focus(); }
      if (e.key === "ArrowUp") { e.preventDefault(); (i > 0 ? items[i - 1] : input).focus(); }
      if (e.key === "Escape") { hide(); input.focus(); }
    });
    document.addEventListener("click", function (e) { if (!form.contains(e.target)) hide(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-suggest]").forEach(initSuggest);
  });

  // --- For you: impressions (half a card in view) and opens, sent in batches to the native API.
  var recQueue = [];
  var recSeen = {};
  function recCsrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }
  function recFlush() {
    if (!recQueue.length) return;
    var batch = recQueue.splice(0, 50);
    fetch("/api/nb/v1/recommend/events", {
      method: "POST", keepalive: true, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": recCsrf() },
      body: JSON.stringify({ events: batch })
    }).catch(function () { /* best effort: a lost batch loses only impressions */ });
  }
  function recEvent(card, kind) {
    recQueue.push({ note_id: card.dataset.recNote, kind: kind, surface: "for_you", position: parseInt(card.dataset.recPos, 10) });
    if (recQueue.length >= 20) recFlush();
  }
  if ("IntersectionObserver" in window) {
    var recObserver = new IntersectionObserver(function (entries) {
      entries.forEach(function (en) {
        var card = en.target;
        if (en.isIntersecting && !recSeen[card.dataset.recNote]) { recSeen[card.dataset.recNote] = 1; recEvent(card, "impression"); }
      });
    }, { threshold: 0.5 });
    var recWatch = function (root) { (root || document).querySelectorAll("[data-rec-note]").forEach(function (c) { recObserver.observe(c); }); };
    document.addEventListener("DOMContentLoaded", function () {
      recWatch(document);
      document.body.addEventListener("htmx:afterSettle", function (e) { recWatch(e.target); });
    });
  }
  document.addEventListener("click", function (e) {
    var link = e.target.closest("[data-rec-note] .card-link");
    if (link) { recEvent(link.closest("[data-rec-note]"), "open"); recFlush(); }
  });
  setInterval(recFlush, 5000);
  window.addEventListener("pagehide", recFlush);

  // --- card titles being translated: a quiet "Translating…" under each title whose translation the page's
  // batch request is still waiting for (its ids: data-ids of the .tr-batch element); gone when the title
  // is swapped in, or when the batch gives up and the original stays.
  function markTranslating() {
    var pending = {}, label = "", changed = false;
    document.querySelectorAll(".tr-batch[data-batch=card]").forEach(function (b) {
      label = b.dataset.label || label;
      (b.dataset.ids || "").split(",").forEach(function (id) { if (id) pending[id] = 1; });
    });
    document.querySelectorAll(".card-title-box").forEach(function (box) {
      var id = box.id.replace("ct-", ""), mark = box.querySelector(".card-translating");
      if (pending[id] && !mark) {
        mark = document.createElement("p");
        mark.className = "card-translating";
        mark.textContent = label;
        box.appendChild(mark);
        changed = true;
      } else if (!pending[id] && mark) {
        mark.remove();
        changed = true;
      }
    });
    if (changed) layoutAll();
  }
  document.addEventListener("DOMContentLoaded", function () {
    markTranslating();
    document.body.addEventListener("htmx:afterSettle", markTranslating);
  });

  // --- copy buttons (the OAuth code page): select the field and copy it; the text stays selectable without.
  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-copy]");
    if (!button) return;
    var field = document.querySelector(button.dataset.copy);
    if (!field) return;
    field.select();
    var done = function () { button.textContent = button.dataset.copied || button.textContent; };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(field.value).then(done, function () {});
    else { try { if (document.execCommand("copy")) done(); } catch (err) { /* selected: the reader copies it */ } }
  });
})();

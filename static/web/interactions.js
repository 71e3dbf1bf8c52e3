/* Notebridge web: double-tap a photo to like, and @mention autocomplete. Both enhance what works without
   JavaScript: the Like button, and typing the @name by hand. */
(function () {
  "use strict";

  // --- double-tap (or double-click) a note's photo: like it, with a heart where the finger was. A
  // double-tap only ever likes (as in the big apps); the Like button takes a like back.
  var HEART = '<svg viewBox="0 0 24 24" focusable="false"><path d="M12 20.5s-7.5-4.6-9.4-9.3C1.3 7.9 3.4 4.5 6.9 4.5c2 0 3.6 1.1 5.1 3 1.5-1.9 3.1-3 5.1-3 3.5 0 5.6 3.4 4.3 6.7-1.9 4.7-9.4 9.3-9.4 9.3z"/></svg>';
  var lastTap = null;

  function heartBurst(area, x, y) {
    area = area.closest(".carousel") || area;  // the frame, not the scrolling track: the heart stays put
    var heart = document.createElement("span");
    heart.className = "heart-burst";
    heart.setAttribute("aria-hidden", "true");
    heart.innerHTML = HEART;
    var rect = area.getBoundingClientRect();
    heart.style.left = (x - rect.left) + "px";
    heart.style.top = (y - rect.top) + "px";
    area.appendChild(heart);
    setTimeout(function () { heart.remove(); }, 900);
  }

  function likeFromPhoto(area, x, y) {
    heartBurst(area, x, y);
    var like = document.querySelector("#note-actions button[name=action][value=like]");
    if (like) like.click();  // the form's own button: htmx posts it, or the page submits without htmx
  }

  document.addEventListener("click", function (e) {
    var area = e.target.closest("[data-double-tap-like]");
    if (!area) { lastTap = null; return; }
    var now = Date.now();
    if (lastTap && lastTap.area === area && now - lastTap.time < 350 &&
        Math.abs(e.clientX - lastTap.x) < 40 && Math.abs(e.clientY - lastTap.y) < 40) {
      lastTap = null;
      e.preventDefault();
      likeFromPhoto(area, e.clientX, e.clientY);
      return;
    }
    lastTap = { area: area, time: now, x: e.clientX, y: e.clientY };
  });

  // --- @mention autocomplete in fields marked data-mentions (the suggestion endpoint's URL).
  var WORD_BEFORE = /(^|[^\w@/])@([A-Za-z0-9_]{1,30})$/;

  function query(field) {
    if (field.selectionStart !== field.selectionEnd) return null;
    var upto = field.value.slice(0, field.selectionStart);
    var m = upto.match(WORD_BEFORE);
    return m ? { prefix: m[2], start: upto.length - m[2].length - 1 } : null;
  }

  function box(field) {
    if (field.mentionBox) return field.mentionBox;
    var list = document.createElement("ul");
    list.className = "mention-list";
    list.id = field.id + "-mentions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", field.dataset.mentionsLabel || "");
    list.hidden = true;
    field.insertAdjacentElement("afterend", list);
    field.setAttribute("role", "combobox");
    field.setAttribute("aria-autocomplete", "list");
    field.setAttribute("aria-controls", list.id);
    field.setAttribute("aria-expanded", "false");
    field.mentionBox = list;
    return list;
  }

  function close(field) {
    var list = field.mentionBox;
    if (!list) return;
    list.hidden = true;
    list.textContent = "";
    field.setAttribute("aria-expanded", "false");
    field.removeAttribute("aria-activedescendant");
  }

  function options(field) { return field.mentionBox ? field.mentionBox.querySelectorAll("[role=option]") : []; }

  function activate(field, index) {
    var opts = options(field);
    if (!opts.length) return;
    index = (index + opts.length) % opts.length;
    opts.forEach(function (o, i) { o.setAttribute("aria-selected", i === index ? "true" : "false"); });
    field.setAttribute("aria-activedescendant", opts[index].id);
    field.mentionActive = index;
  }

  function pick(field, username) {
    var q = query(field);
    if (!q) return close(field);
    var before = field.value.slice(0, q.start) + "@" + username + " ";
    field.value = before + field.value.slice(field.selectionStart).replace(/^ /, "");
    field.setSelectionRange(before.length, before.length);
    field.focus();
    close(field);
  }

  function show(field, accounts) {
    var list = box(field);
    list.textContent = "";
    if (!accounts.length) return close(field);
    accounts.forEach(function (a, i) {
      var li = document.createElement("li");
      li.id = list.id + "-" + i;
      li.setAttribute("role", "option");
      li.dataset.username = a.username;
      if (a.avatar) {
        var img = document.createElement("img");
        img.src = a.avatar; img.alt = ""; img.width = 24; img.height = 24; img.className = "avatar avatar-xs";
        li.appendChild(img);
      }
      var name = document.createElement("strong");
      name.textContent = a.name;  // text, never markup: names are user content
      var handle = document.createElement("span");
      handle.className = "muted";
      handle.textContent = "@" + a.username;
      li.appendChild(name);
      li.appendChild(handle);
      li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(field, a.username); });
      list.appendChild(li);
    });
    list.hidden = false;
    field.setAttribute("aria-expanded", "true");
    activate(field, 0);
  }

  function lookUp(field) {
    var q = query(field);
    if (!q) return close(field);
    var seq = (field.mentionSeq || 0) + 1;
    field.mentionSeq = seq;
    fetch(field.dataset.mentions + "?q=" + encodeURIComponent(q.prefix), {
      credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (r) { return r.ok ? r.json() : { accounts: [] }; })
      .then(function (data) { if (field.mentionSeq === seq) show(field, data.accounts || []); })
      .catch(function () { close(field); });
  }

  document.addEventListener("input", function (e) {
    var field = e.target;
    if (!field.dataset || !field.dataset.mentions) return;
    clearTimeout(field.mentionTimer);
    field.mentionTimer = setTimeout(function () { lookUp(field); }, 150);
  });

  document.addEventListener("keydown", function (e) {
    var field = e.target;
    if (!field.mentionBox || field.mentionBox.hidden) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      activate(field, (field.mentionActive || 0) + (e.key === "ArrowDown" ? 1 : -1));
    } else if (e.key === "Enter" || e.key === "Tab") {
      var opts = options(field);
      var chosen = opts[field.mentionActive || 0];
      if (chosen) { e.preventDefault(); pick(field, chosen.dataset.username); }
    } else if (e.key === "Escape") {
      e.preventDefault();
      close(field);
    }
  });

  document.addEventListener("focusout", function (e) {
    var field = e.target;
    if (field.mentionBox) setTimeout(function () { close(field); }, 150);
  });
})();

/*
 * The patient's forms (daily log, session): guidance shown at once, before submitting.
 *
 * - Red flags: ticking any box marked data-red-flag shows "contact your care team"; ticking the emergency one
 *   (breathlessness or chest pain) also shows "call emergency services now", first on the page. Every tick brings
 *   the guidance into view and announces it. The server shows the same guidance after saving, so nothing depends
 *   on this script.
 * - Elements with data-show-when="ID" are shown while the tick box #ID is ticked (the massage caution).
 * - Elements with data-kind="K" are shown only while the radio named "kind" has the value K (session form).
 * - Notes (textarea[data-count-max]) show how many characters they hold, counted as the server counts them.
 */
(function () {
  "use strict";

  function updateRedFlags() {
    var boxes = document.querySelectorAll("input[data-red-flag]");
    if (!boxes.length) return;
    var any = false;
    var emergency = false;
    boxes.forEach(function (box) {
      if (box.checked) {
        any = true;
        if (box.dataset.redFlag === "emergency") emergency = true;
      }
    });
    var careTeam = document.getElementById("rf-care-team");
    var urgent = document.getElementById("rf-emergency");
    if (careTeam) careTeam.hidden = !any;
    if (urgent) urgent.hidden = !emergency;
  }

  function updateShowWhen() {
    document.querySelectorAll("[data-show-when]").forEach(function (el) {
      var box = document.getElementById(el.dataset.showWhen);
      if (box) el.hidden = !box.checked;
    });
  }

  function updateKinds() {
    var chosen = document.querySelector("input[name='kind']:checked");
    if (!chosen) return;
    document.querySelectorAll("[data-kind]").forEach(function (el) {
      el.hidden = el.dataset.kind !== chosen.value;
    });
  }

  // Notes (textarea[data-count-max]): a live count of characters as the server counts them (code points: an emoji
  // is 1, as Python's len() sees it; the page sets no maxlength, which would cut the note silently).
  function characters(text) {
    return Array.from(text.replace(/\r\n?/g, "\n")).length;
  }

  function setUpCounters() {
    document.querySelectorAll("textarea[data-count-max]").forEach(function (area) {
      if (document.getElementById(area.id + "-count")) return;
      var counter = document.createElement("div");
      counter.id = area.id + "-count";
      counter.className = "form-text note-count";
      var live = document.createElement("span");
      live.className = "visually-hidden";
      live.setAttribute("aria-live", "polite");
      live.id = area.id + "-count-live";
      area.insertAdjacentElement("afterend", counter);
      counter.insertAdjacentElement("afterend", live);
      var described = area.getAttribute("aria-describedby");
      area.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
      updateCounter(area);
    });
  }

  function updateCounter(area) {
    var counter = document.getElementById(area.id + "-count");
    var live = document.getElementById(area.id + "-count-live");
    if (!counter) return;
    var max = parseInt(area.dataset.countMax, 10);
    var used = characters(area.value);
    var over = used - max;
    counter.textContent = used + " of " + max + " characters" + (over > 0 ? ": " + over + " too many" : "");
    counter.classList.toggle("text-danger", over > 0);
    counter.classList.toggle("fw-semibold", over > 0);
    var message = over > 0 ? "The note is " + over + " characters too long." : "";
    if (live && live.textContent !== message) live.textContent = message;
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches("textarea[data-count-max]")) updateCounter(event.target);
  });

  function updateAll() {
    setUpCounters();
    updateRedFlags();
    updateShowWhen();
    updateKinds();
  }

  // On every tick of a red flag (not only the first): bring the guidance into view, since on a phone it is far above
  // the tick box, and announce it to screen readers (the live region's text is cleared, then set, so the same
  // words are read again).
  function bringGuidanceIntoView() {
    var guidance = document.getElementById("red-flag-guidance");
    if (!guidance) return;
    var urgent = document.getElementById("rf-emergency");
    var careTeam = document.getElementById("rf-care-team");
    var shown = urgent && !urgent.hidden ? urgent : careTeam;
    var announce = document.getElementById("rf-announce");
    if (announce && shown) {
      var heading = shown.querySelector("h2");
      announce.textContent = "";
      window.setTimeout(function () {
        announce.textContent = heading ? heading.textContent : "";
      }, 50);
    }
    if (guidance.scrollIntoView) {
      var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      guidance.scrollIntoView({ behavior: reduce ? "auto" : "smooth", block: "start" });
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("input[data-red-flag]")) {
      updateRedFlags();
      if (target.checked) bringGuidanceIntoView();
    } else {
      updateShowWhen();
      updateKinds();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", updateAll);
  } else {
    updateAll();
  }
})();

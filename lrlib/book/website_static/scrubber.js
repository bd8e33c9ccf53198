/* The course's scrubbable experiments (lrlib.course.widgets.scrubber): a range input swaps
   the frame of a <figure class="lr-scrubber">. The frames are image files of the site, listed
   in the input's data-frames attribute ({src, alt, label} each); they are fetched once the
   figure comes near the screen, so a move shows its frame at once. Added to every page by
   lrlib/book/website.py; no network, no other script needed. */
(function () {
  "use strict";

  function setUp(figure) {
    var input = figure.querySelector("input[type=range]");
    var image = figure.querySelector("img.lr-scrubber-frame");
    var output = figure.querySelector("output.lr-scrubber-value");
    if (!input || !image || input.dataset.ready) return;
    var frames;
    try {
      frames = JSON.parse(input.dataset.frames || "[]");
    } catch (error) {
      return;
    }
    if (!frames.length) return;
    var name = input.dataset.label || "";
    var loaded = [];

    function preload() {
      if (loaded.length) return;
      frames.forEach(function (frame) {
        var img = new Image();
        img.decoding = "async";
        img.src = frame.src;
        loaded.push(img);
      });
    }

    function show() {
      var frame = frames[Number(input.value)];
      if (!frame) return;
      image.src = frame.src;
      image.alt = frame.alt;
      output.textContent = frame.label;
      input.setAttribute("aria-valuetext", name + " = " + frame.label);
    }

    input.addEventListener("input", show);
    input.addEventListener("change", show);
    input.addEventListener("focus", preload);
    input.addEventListener("pointerdown", preload);
    if ("IntersectionObserver" in window) {
      new IntersectionObserver(function (entries, observer) {
        if (entries.some(function (e) { return e.isIntersecting; })) {
          preload();
          observer.disconnect();
        }
      }, {rootMargin: "400px"}).observe(figure);
    } else {
      preload();
    }
    input.disabled = false;
    input.dataset.ready = "1";
    figure.classList.add("lr-scrubber-ready");
  }

  function setUpAll() {
    document.querySelectorAll("figure.lr-scrubber").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
})();

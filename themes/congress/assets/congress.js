/* congress-site: elder mode toggle; material's toggles and sidebars. No pop-ups, no tracking. */
(function () {
  var KEY = "congress.elder";
  var root = document.documentElement;

  function sync() {
    var on = root.classList.contains("cg-elder");
    document.querySelectorAll("[data-cg-elder]").forEach(function (b) {
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.textContent = on ? "退出长者模式" : "长者模式";
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-cg-elder]");
    if (!button) return;
    var on = root.classList.toggle("cg-elder");
    try { localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* storage off */ }
    sync();
  });
  sync();

  // material's drawer and search toggles start closed. Firefox restores a checkbox's state on
  // reload; material prevents that with autocomplete="off", which HTML does not allow on a
  // checkbox (generator/mkdocs_plugin/markup.py leaves it out), so close them here instead.
  function closeToggles() {
    document.querySelectorAll("input.md-toggle[data-md-toggle]").forEach(function (t) {
      if (!t.checked) return;
      t.checked = false;
      t.dispatchEvent(new Event("change"));
    });
  }
  closeToggles();

  // The sidebars stick below the header; the column tabs may wrap to more rows (congress.css).
  var header = document.querySelector(".md-header");
  if (header && window.ResizeObserver) {
    new ResizeObserver(function () {
      root.style.setProperty("--cg-header-height", header.offsetHeight + "px");
    }).observe(header);
  }
})();

/* congress-site: elder mode toggle. No pop-ups, no tracking. */
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
})();

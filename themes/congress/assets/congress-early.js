/* Elder mode (长者模式) is applied before the first paint, from the reader's saved choice. */
(function () {
  try {
    if (localStorage.getItem("congress.elder") === "1") document.documentElement.classList.add("cg-elder");
  } catch (e) { /* storage off: default view */ }
})();

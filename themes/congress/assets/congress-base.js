/* material for mkdocs: storage helpers (partials/javascripts/base.html), as a file. */
(function () {
  var scope = document.currentScript.getAttribute("data-scope") || "/";
  window.__md_scope = new URL(scope, location);
  window.__md_hash = function (e) { return Array.from(e).reduce(function (h, c) { return (h << 5) - h + c.charCodeAt(0); }, 0); };
  window.__md_get = function (e, s, t) {
    s = s || localStorage; t = t || __md_scope;
    return JSON.parse(s.getItem(t.pathname + "." + e));
  };
  window.__md_set = function (e, v, s, t) {
    s = s || localStorage; t = t || __md_scope;
    try { s.setItem(t.pathname + "." + e, JSON.stringify(v)); } catch (err) { /* storage full or off */ }
  };
})();

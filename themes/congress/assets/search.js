/* congress-site search page (see generator/search.py for the design).
   Each space-separated term is asked of Pagefind as the words the index was built with (its
   character bigrams, or its first character or word as a prefix); the pages that have them
   all are candidates, and a candidate is a result if its text contains every term, checked
   against the article's plain text (pagefind/text/<uid>.txt). So a page is found if and only
   if it contains the term, in a few small downloads. */
(function () {
  "use strict";
  var script = document.currentScript;
  var HAN = "\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\u{20000}-\\u{2ebef}";
  var SEGMENT = new RegExp("[0-9a-z" + HAN + "]+", "gu");
  var WORD = new RegExp("^[0-9a-z" + HAN + "]+$", "u");
  var PAGE = 20;

  function hex(c) {
    return c.codePointAt(0).toString(16).padStart(5, "0");
  }

  function normal(text) {
    return text.normalize("NFKC").toLowerCase();
  }

  /* canonical(): the text as search compares it — the same function as in search.py. */
  function canonical(text) {
    return (normal(text).match(SEGMENT) || []).join("\n");
  }

  /* query_words(): the words Pagefind is asked for, one search each — as in search.py: the
     letter-and-digit words, every neighbouring pair with a Han character in it, and a lone
     Han character on its own. */
  function queryWords(term) {
    var words = [];
    (normal(term).match(SEGMENT) || []).forEach(function (segment) {
      words.push.apply(words, segment.match(/[0-9a-z]+/g) || []);
      var chars = Array.from(segment);
      var han = chars.map(function (c) { return c.charCodeAt(0) >= 0x80; });
      for (var i = 0; i + 1 < chars.length; i++) {
        if (han[i] || han[i + 1]) words.push("u" + hex(chars[i]) + hex(chars[i + 1]));
      }
      if (chars.length === 1 && han[0]) words.push("u" + hex(chars[0]));
    });
    return Array.from(new Set(words));
  }

  function matcher(term) {
    var needle = canonical(term);
    if (!needle) return null;
    var pattern = needle.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\n/g, "\\n");
    if (needle.charCodeAt(0) < 0x80) pattern = "(?<![0-9a-z])" + pattern;
    return new RegExp(pattern, "u");
  }

  window.congressSearchCanonical = canonical; /* the tests compare both with search.py */
  window.congressSearchQueryWords = queryWords;

  function escape(text) {
    return text.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }

  /* The excerpt: the text around the first match, the match marked. Canonical positions are
     mapped back to the raw text character by character. */
  function excerpt(text, re) {
    var chars = Array.from(text);
    var canon = "";
    var map = [];
    chars.forEach(function (c, i) {
      var n = normal(c);
      if (n && WORD.test(n)) {
        Array.from(n).forEach(function (d) { canon += d; map.push(i); });
      } else if (canon && canon[canon.length - 1] !== "\n") {
        canon += "\n";
        map.push(i);
      }
    });
    var found = re ? re.exec(canon) : null;
    if (!found) return escape(chars.slice(0, 120).join(""));
    var cstart = Array.from(canon.slice(0, found.index)).length;
    var clen = Array.from(found[0]).length;
    var start = map[cstart];
    var end = map[cstart + clen - 1] + 1;
    var from = Math.max(0, start - 40);
    var to = Math.min(chars.length, end + 80);
    var body = escape(chars.slice(from, start).join("")) + "<mark>" +
      escape(chars.slice(start, end).join("")) + "</mark>" + escape(chars.slice(end, to).join(""));
    return (from > 0 ? "……" : "") + body.replace(/\n/g, " ") + (to < chars.length ? "……" : "");
  }

  var base = new URL(script.getAttribute("data-base"), location.href);
  var loading = null;
  /* The newest bundle, with the older ones merged into it (one WebAssembly module for all). */
  function pagefind() {
    loading = loading || (async function () {
      var engine = await import(new URL(script.getAttribute("data-pagefind"), location.href).href);
      var merge = (script.getAttribute("data-merge") || "").split(" ").filter(Boolean);
      await Promise.all(merge.map(function (path) {
        return engine.mergeIndex(new URL(path, location.href).pathname);
      }));
      return engine;
    })();
    return loading;
  }

  /* Candidates for `text`: the pages that have every word of every term, most specific word's
     order first (each word is its own Pagefind search: a query of several words would also
     return pages that lack some of them). */
  async function candidates(text) {
    var terms = text.split(/\s+/).filter(function (t) { return queryWords(t).length; });
    if (!terms.length || !script.getAttribute("data-pagefind")) return { terms: terms, results: [] };
    var engine = await pagefind();
    var words = Array.from(new Set([].concat.apply([], terms.map(queryWords))));
    var searches = await Promise.all(words.map(function (w) { return engine.search(w); }));
    searches.sort(function (a, b) { return a.results.length - b.results.length; });
    var results = searches[0].results;
    searches.slice(1).forEach(function (s) {
      var ids = new Set(s.results.map(function (r) { return r.id; }));
      results = results.filter(function (r) { return ids.has(r.id); });
    });
    return { terms: terms, results: results };
  }

  /* A candidate with its data and text, or null if its text lacks a term. */
  async function check(result, matchers) {
    var data = await result.data();
    var response = await fetch(new URL("pagefind/text/" + data.meta.uid + ".txt", base));
    var text = response.ok ? await response.text() : "";
    var canon = canonical(text);
    if (!matchers.every(function (m) { return m && m.test(canon); })) return null;
    return { data: data, text: text };
  }

  window.congressSearch = async function (text) { /* every result's URL: for the recall tests */
    var found = await candidates(text);
    var matchers = found.terms.map(matcher);
    var checked = await Promise.all(found.results.map(function (r) { return check(r, matchers); }));
    return checked.filter(Boolean).map(function (c) { return c.data.url; });
  };

  var input = document.getElementById("cg-search-q");
  var status = document.getElementById("cg-search-status");
  var list = document.getElementById("cg-results");
  var q = (new URLSearchParams(location.search).get("q") || "").trim();
  input.value = q;
  if (!q) {
    status.textContent = "请输入要搜索的词语。";
    return;
  }
  status.textContent = "正在搜索……";

  function render(hit, matchers) {
    var li = document.createElement("li");
    li.className = "cg-result";
    var href = new URL(hit.data.url.replace(/^\//, ""), base).href;
    li.innerHTML = "<a class=\"cg-result__title\" href=\"" + escape(href) + "\">" + escape(hit.data.meta.title) +
      "</a><span class=\"cg-item__meta\"><span class=\"cg-item__column\">" + escape(hit.data.meta.column || "") +
      "</span><time>" + escape(hit.data.meta.date || "") + "</time></span><p class=\"cg-result__excerpt\">" +
      excerpt(hit.text, matchers[0]) + "</p>";
    list.appendChild(li);
  }

  candidates(q).then(async function (found) {
    var matchers = found.terms.map(matcher);
    var results = found.results;
    var cursor = 0;
    var kept = 0;
    function say() {
      var checkedAll = cursor >= results.length;
      var estimate = checkedAll ? kept : Math.round(results.length * kept / Math.max(cursor, 1));
      if (kept) {
        status.textContent = "找到" + (checkedAll ? " " : "约 ") + estimate + " 篇包含“" + q + "”的稿件。";
      } else if (checkedAll) {
        status.textContent = "没有找到包含“" + q + "”的稿件，请换一个词试试。";
      } else {
        status.textContent = "已查看 " + cursor + " 篇候选稿件，暂未找到包含“" + q + "”的稿件。";
      }
    }
    async function more() {
      var shown = 0;
      var limit = cursor + 10 * PAGE; /* never read more than 200 candidates for one page */
      while (shown < PAGE && cursor < results.length && cursor < limit) {
        var batch = results.slice(cursor, cursor + PAGE - shown);
        cursor += batch.length;
        var hits = await Promise.all(batch.map(function (r) { return check(r, matchers); }));
        hits.filter(Boolean).forEach(function (hit) { render(hit, matchers); shown++; kept++; });
      }
      say();
      var button = document.getElementById("cg-results-more");
      if (button) button.remove();
      if (cursor < results.length) {
        button = document.createElement("button");
        button.id = "cg-results-more";
        button.type = "button";
        button.className = "cg-results__more";
        button.textContent = kept ? "显示更多结果" : "继续查找";
        button.addEventListener("click", more);
        list.after(button);
      }
    }
    await more();
  }).catch(function () {
    status.textContent = "搜索暂时不可用，请稍后再试。";
  });
})();

// The search page: loads search-index/index.js, then the shards of the query's bigrams and the task
// chunks of the results shown, each with a <script> tag (local files; no fetch). The scheme is
// described in pipeline/site/search_index.py. Every value is set with textContent.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-input");
  var result = document.getElementById("search-result");
  if (!form || !input || !result) { return; }
  var SHOWN = 500;
  var index = null;
  var shards = {};
  var chunks = {};
  var waiting = {};
  var generation = 0;

  function element(name, text, attributes) {
    var node = document.createElement(name);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    return node;
  }

  function load(src, ready, done) {
    if (ready()) { done(); return; }
    if (waiting[src]) { waiting[src].push(done); return; }
    waiting[src] = [done];
    var script = element("script", null, { "src": src });
    script.onerror = function () { result.textContent = "Could not load " + src; };
    document.head.appendChild(script);
  }

  function settle(src) {
    var callbacks = waiting[src] || [];
    delete waiting[src];
    callbacks.forEach(function (callback) { callback(); });
  }

  window.plandataSearchIndex = function (data) { index = data; settle("search-index/index.js"); };
  window.plandataSearchShard = function (number, data) { shards[number] = data; settle("search-index/b" + number + ".js"); };
  window.plandataSearchTasks = function (number, data) { chunks[number] = data; settle("search-index/t" + number + ".js"); };

  function all(items, each, done) {
    var left = items.length;
    if (left === 0) { done(); return; }
    items.forEach(function (item) { each(item, function () { left -= 1; if (left === 0) { done(); } }); });
  }

  function shardOf(bigram) {
    var chars = Array.from(bigram);
    return (chars[0].codePointAt(0) * 31 + chars[1].codePointAt(0)) % index.shards;
  }

  // Tasks (numbers, ascending) where bigram i of the query sits at position p + i for every i.
  function match(chars) {
    var lists = [];
    for (var i = 0; i + 1 < chars.length; i += 1) {
      var bigram = chars[i] + chars[i + 1];
      lists.push(shards[shardOf(bigram)][bigram] || []);
    }
    var sets = lists.slice(1).map(function (list) {
      var set = new Set();
      for (var k = 0; k < list.length; k += 2) { set.add(list[k] + ":" + list[k + 1]); }
      return set;
    });
    var found = [];
    var first = lists[0];
    for (var j = 0; j < first.length; j += 2) {
      var task = first[j];
      var position = first[j + 1];
      if (found.length && found[found.length - 1] === task) { continue; }
      var ok = true;
      for (var s = 0; s < sets.length && ok; s += 1) { ok = sets[s].has(task + ":" + (position + s + 1)); }
      if (ok) { found.push(task); }
    }
    return found;
  }

  function show(query, found) {
    var shown = found.slice(0, SHOWN);
    var needed = Array.from(new Set(shown.map(function (task) { return Math.floor(task / index.chunk); })));
    var mine = generation;
    all(needed, function (number, done) {
      load("search-index/t" + number + ".js", function () { return !!chunks[number]; }, done);
    }, function () {
      if (mine !== generation) { return; }
      result.textContent = "";
      var summary = element("p", null, { "id": "search-count", "data-count": String(found.length) });
      summary.textContent = "“" + query + "”：" + found.length + " 项任务 tasks"
        + (found.length > shown.length ? "（显示前 " + shown.length + " 项 first " + shown.length + " shown）" : "");
      result.appendChild(summary);
      if (!shown.length) { return; }
      var frame = element("div", null, { "class": "table-frame" });
      var table = element("table", null, { "class": "search-results" });
      var head = element("tr");
      ["文件 notice", "任务 task", "标题 title"].forEach(function (title) { head.appendChild(element("th", title)); });
      table.appendChild(element("thead")).appendChild(head);
      var body = element("tbody");
      shown.forEach(function (task) {
        var chunk = chunks[Math.floor(task / index.chunk)];
        var row = chunk.rows[task % index.chunk];
        var notice = chunk.notices[row[0]];
        var page = "notices/" + encodeURIComponent(notice[0]) + ".html";
        var line = element("tr", null, { "data-task": notice[0] + "/" + row[1] });
        line.appendChild(element("td")).appendChild(element("a", notice[1], { "href": page }));
        line.appendChild(element("td")).appendChild(element("a", row[1], { "href": page + "#t-" + encodeURIComponent(row[1]) }));
        line.appendChild(element("td", row[2] + row[3]));
        body.appendChild(line);
      });
      table.appendChild(body);
      frame.appendChild(table);
      result.appendChild(frame);
    });
  }

  function search(query) {
    generation += 1;
    var mine = generation;
    var chars = Array.from(query);
    if (chars.length < 2) { result.textContent = "请输入至少两个字 Type two characters or more."; return; }
    result.textContent = "…";
    load("search-index/index.js", function () { return index !== null; }, function () {
      var needed = [];
      for (var i = 0; i + 1 < chars.length; i += 1) { needed.push(shardOf(chars[i] + chars[i + 1])); }
      needed = Array.from(new Set(needed));
      all(needed, function (number, done) {
        load("search-index/b" + number + ".js", function () { return !!shards[number]; }, done);
      }, function () {
        if (mine === generation) { show(query, match(chars)); }
      });
    });
  }

  form.hidden = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    search(input.value.trim());
  });
}());

// The unit filter of a release page. The page is complete without this script: it only adds
// the filter, loading one unit's tasks (units/<n>.js, a local file) when the unit is picked.
// Every value is set with textContent: nothing from the data is parsed as HTML.
(function () {
  "use strict";
  var holder = document.getElementById("site-data");
  var form = document.getElementById("unit-filter");
  var select = document.getElementById("unit-select");
  var result = document.getElementById("unit-result");
  if (!holder || !form || !select || !result) { return; }
  var data = JSON.parse(holder.textContent);
  var loaded = {};
  var wanted = null;
  form.hidden = false;

  function element(name, text, attributes) {
    var node = document.createElement(name);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    return node;
  }

  function show(index) {
    var rows = loaded[index];
    var name = select.options[select.selectedIndex].getAttribute("data-name") || "";
    var notices = {};
    rows.forEach(function (row) { notices[row[0]] = true; });
    result.textContent = "";
    var summary = element("p", null, { "id": "unit-count", "data-count": String(rows.length) });
    summary.textContent = name + "：" + rows.length + " 项任务 tasks, " + Object.keys(notices).length + " 个文件 notices";
    result.appendChild(summary);
    var table = element("table", null, { "class": "unit-tasks" });
    var head = element("tr");
    ["notice", "task", "title", "roles"].forEach(function (title) { head.appendChild(element("th", title)); });
    table.appendChild(element("thead")).appendChild(head);
    var body = element("tbody");
    rows.forEach(function (row) {
      var notice = data.notices[row[0]];
      var page = "notices/" + encodeURIComponent(notice[0]) + ".html";
      var line = element("tr", null, { "data-task": notice[0] + "/" + row[1] });
      line.appendChild(element("td")).appendChild(element("a", notice[1], { "href": page }));
      line.appendChild(element("td")).appendChild(element("a", row[1], { "href": page + "#t-" + encodeURIComponent(row[1]) }));
      line.appendChild(element("td", row[2] + row[3]));
      line.appendChild(element("td", row[4].map(function (role) { return data.roleNames[role] || role; }).join("、")));
      body.appendChild(line);
    });
    table.appendChild(body);
    result.appendChild(table);
  }

  select.addEventListener("change", function () {
    var index = select.value;
    result.textContent = "";
    wanted = index;
    if (index === "") { return; }
    if (loaded[index]) { show(index); return; }
    var script = element("script", null, { "src": data.unitScripts + index + ".js" });
    script.onerror = function () { result.textContent = "Could not load " + script.src; };
    document.head.appendChild(script);
  });

  window.plandataUnit = function (index, rows) {
    loaded[String(index)] = rows;
    if (wanted === String(index)) { show(String(index)); }
  };
}());

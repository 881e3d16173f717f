// Marks the tasks and sections that changed in this release on a notice page. The page is the same
// file in every release it is unchanged in; the marks come from the release's own changed-tasks.js,
// loaded after this script by <script> (no fetch: pages work from file:// under the CSP).
// Every value is set with textContent: nothing from the data is parsed as HTML.
(function () {
  "use strict";
  window.plandataChanged = function (marks, words) {
    var main = document.querySelector("main[data-doc]");
    if (!main) { return; }
    var anchors = marks[main.getAttribute("data-doc")] || {};
    var count = 0;
    Object.keys(anchors).forEach(function (anchor) {
      var node = document.getElementById(anchor);
      if (!node) { return; }
      count += 1;
      node.classList.add("changed");
      var mark = document.createElement("span");
      mark.className = "changed-mark";
      mark.textContent = "本版变更 changed: " + anchors[anchor].map(function (kind) { return words[kind] || kind; }).join("、");
      var head = node.querySelector(":scope > .task-head, :scope > summary");
      (head || node).appendChild(mark);
    });
    var summary = document.getElementById("changed-summary");
    if (summary) {
      summary.textContent = count ? "本版变更 " + count + " 处 changed in this release (marked below)." : "本版无变更 Unchanged in this release.";
      summary.hidden = false;
    }
  };
}());

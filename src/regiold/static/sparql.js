// Turns the plain SPARQL form into YASGUI when JavaScript runs; the form works without it.
// Configuration comes from the JSON block #sparql-config (data, never executed): no inline script.
(function () {
  "use strict";
  var holder = document.getElementById("yasgui");
  var configBlock = document.getElementById("sparql-config");
  var form = document.getElementById("sparql-form");
  var textarea = document.getElementById("query");
  if (!holder || !configBlock || !form || !textarea || typeof window.Yasgui === "undefined") {
    return;
  }
  var config = JSON.parse(configBlock.textContent);
  // the server sends a path: the endpoint is on the origin this page came from
  var endpoint = new URL(config.endpoint, window.location.href).href;
  var yasgui = new window.Yasgui(holder, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null,
    endpointCatalogueOptions: {
      getData: function () { return [{ endpoint: endpoint }]; },
      keys: []
    },
    yasqe: {
      value: textarea.value,
      // only local completions: the LOV "property"/"class" completers call an external API
      autocompleters: ["prefixes", "variables"]
    },
    yasr: { prefixes: config.prefixes }
  });
  holder.hidden = false;
  form.hidden = true;
  label(holder);
  yasgui.getTab().setQuery(textarea.value);  // the form's query (an example or the default)
  var links = document.querySelectorAll("a[data-example]");
  Array.prototype.forEach.call(links, function (link) {
    link.addEventListener("click", function (event) {
      var example = config.examples[Number(link.getAttribute("data-example"))];
      if (!example) { return; }
      event.preventDefault();
      var tab = yasgui.getTab();
      tab.setQuery(example.query);
      tab.setName(example.title.slice(0, 40));
      holder.scrollIntoView();
    });
  });
  // Accessibility (WCAG 2.1 AA, axe-core in tests/test_accessibility.py): YASGUI leaves its endpoint
  // field and CodeMirror's hidden textarea without a name, and puts the "+" (new tab) button
  // inside its tablist, where only tabs may be. The words come from the page (data-label-*).
  function label(root) {
    var names = [[".autocomplete", root.getAttribute("data-label-endpoint")],
                 [".CodeMirror textarea", root.getAttribute("data-label-query")]];
    names.forEach(function (pair) {
      Array.prototype.forEach.call(root.querySelectorAll(pair[0]), function (field) {
        if (!field.getAttribute("aria-label")) { field.setAttribute("aria-label", pair[1]); }
      });
    });
    Array.prototype.forEach.call(root.querySelectorAll("[role=tablist]"), function (list) {
      Array.prototype.slice.call(list.children).forEach(function (child) {
        if (child.getAttribute("role") !== "tab" && !child.querySelector("[role=tab]")) {
          list.parentNode.insertBefore(child, list.nextSibling);  // out of the tablist, still usable
        }
      });
    });
  }
  new MutationObserver(function () { label(holder); }).observe(holder, { childList: true, subtree: true });
})();

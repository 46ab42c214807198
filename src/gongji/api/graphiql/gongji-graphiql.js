// gongji's GraphiQL: strawberry's page, with the README walkthrough as tabs and no CDN.
(function () {
  "use strict";
  var tabs = JSON.parse(document.getElementById("gongji-tabs").textContent);
  var url = window.location.href.split(/[?#]/)[0];
  var socket = new URL(url);
  socket.protocol = socket.protocol === "https:" ? "wss:" : "ws:";

  var headers = {};
  var csrfToken = Cookies.get("csrftoken");
  if (csrfToken) {
    headers["x-csrftoken"] = csrfToken;
  }
  var fetcher = GraphiQL.createFetcher({
    url: url,
    headers: headers,
    subscriptionUrl: socket.toString(),
  });
  var explorer = GraphiQLPluginExplorer.explorerPlugin();

  function GongjiGraphiQL() {
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: tabs,
      plugins: [explorer],
      defaultEditorToolsVisibility: "headers",
      isHeadersEditorEnabled: true,
      // Tokens move money: do not keep them in the browser's storage.
      shouldPersistHeaders: false,
      inputValueDeprecation: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GongjiGraphiQL),
  );
})();

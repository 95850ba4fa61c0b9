// The guide page's tabs (a separate file: the demo pages' CSP runs no inline script).
(function () {
  "use strict";
  var GUIDES = {
    sencha: ["煎茶の淹れ方 · Sencha", ["茶葉 4 g を急須に入れます。", "70–80 °C のお湯 120 ml を注ぎます。", "60 秒待って、最後の一滴まで注ぎ切ります。"]],
    matcha: ["抹茶の点て方 · Matcha", ["抹茶 2 g をふるいにかけます。", "80 °C のお湯 70 ml を注ぎます。", "茶筅で「M」の字を描くように 15 秒点てます。"]],
    hojicha: ["ほうじ茶の淹れ方 · Hōjicha", ["茶葉 5 g を急須に入れます。", "熱湯 150 ml を注ぎます。", "30 秒で香りよく仕上がります。"]],
  };
  function tabOf(url) {
    var tab = new URL(url).searchParams.get("tab");
    return Object.prototype.hasOwnProperty.call(GUIDES, tab) ? tab : "sencha";
  }
  function render(tab) {
    var guide = GUIDES[tab];
    document.querySelectorAll(".tab").forEach(function (b) {
      b.setAttribute("aria-selected", b.getAttribute("data-tab") === tab ? "true" : "false");
    });
    document.getElementById("guide-title").textContent = guide[0];
    var steps = document.getElementById("guide-steps");
    steps.textContent = "";
    guide[1].forEach(function (step) {
      var li = document.createElement("li");
      li.textContent = step;
      steps.appendChild(li);
    });
    // Like many apps, the title follows a little after the URL.
    setTimeout(function () { document.title = guide[0] + " | さくら茶舗 (demo)"; }, 50);
  }
  document.querySelectorAll(".tab").forEach(function (button) {
    button.addEventListener("click", function () {
      var tab = button.getAttribute("data-tab");
      if (tab === tabOf(location.href)) return;
      history.pushState({ tab: tab }, "", "guide.html?tab=" + tab);
      render(tab);
    });
  });
  window.addEventListener("popstate", function () { render(tabOf(location.href)); });
  render(tabOf(location.href));
})();

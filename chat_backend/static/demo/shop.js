// Demo shop: a cart in localStorage, reported to the chat with LiveChatWidget.setCart (through
// LiveChatWidgetQueue: widget.js loads async and may not be there yet). Loaded by every page.
(function () {
  "use strict";
  var KEY = "sakura-demo:cart";
  var ART = { "静岡 深蒸し煎茶": ["sencha", "煎"], "宇治 抹茶 「翠」": ["matcha", "抹"], "加賀 棒ほうじ茶": ["hojicha", "焙"] };
  function widget(call, arg) {
    (window.LiveChatWidgetQueue = window.LiveChatWidgetQueue || []).push([call, arg]);
  }
  function load() {
    try {
      var items = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(items) ? items : [];
    } catch (e) { return []; }
  }
  function total(items) {
    return items.reduce(function (sum, it) { return sum + it.price * it.quantity; }, 0);
  }
  function yen(n) { return "¥" + n.toLocaleString("ja-JP"); }
  function save(items) {
    try { localStorage.setItem(KEY, JSON.stringify(items)); } catch (e) { /* private mode */ }
    widget("setCart", { items: items, total: total(items), currency: "JPY" });
    show(items);
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function show(items) {
    var count = items.reduce(function (n, it) { return n + it.quantity; }, 0);
    document.querySelectorAll(".cart-link").forEach(function (a) { a.textContent = "カート (" + count + ")"; });
    var list = document.getElementById("cart-list");
    if (!list) return;
    list.textContent = "";
    items.forEach(function (it) {
      var row = el("div", "cart-row");
      row.setAttribute("data-testid", "cart-row");
      var art = ART[it.name] || ["sencha", "茶"];
      row.appendChild(el("div", "art art-" + art[0], art[1])).setAttribute("aria-hidden", "true");
      var names = el("div");
      names.appendChild(el("h3", "", it.name));
      row.appendChild(names);
      row.appendChild(el("span", "qty", "× " + it.quantity));
      row.appendChild(el("span", "price", yen(it.price * it.quantity)));
      list.appendChild(row);
    });
    if (!items.length) list.appendChild(el("p", "cart-empty", "カートは空です。Your cart is empty."));
    document.getElementById("cart-total").textContent = yen(total(items));
  }

  var items = load();
  show(items);
  if (items.length) widget("setCart", { items: items, total: total(items), currency: "JPY" });

  document.querySelectorAll("[data-add-to-cart]").forEach(function (button) {
    button.addEventListener("click", function () {
      var name = button.getAttribute("data-name");
      var price = Number(button.getAttribute("data-price"));
      var now = load();
      var found = now.filter(function (it) { return it.name === name; })[0];
      if (found) found.quantity += 1;
      else now.push({ name: name, price: price, quantity: 1 });
      save(now);
      var done = document.getElementById("added");
      if (done) done.hidden = false;
    });
  });
  var clear = document.getElementById("cart-clear");
  if (clear) clear.addEventListener("click", function () { save([]); });

  // "Sign in" (demo): tells the chat who the visitor is, only when clicked.
  var signIn = document.getElementById("sign-in");
  if (signIn) signIn.addEventListener("click", function (e) {
    e.preventDefault();
    widget("identify", { name: "山田 花子", email: "hanako@example.com", phone: "090-1234-5678", id: "C-1001" });
    widget("setCustomData", { "会員ランク": "ゴールド", "定期便": "煎茶 月1回" });
    signIn.textContent = "山田 花子 さん";
    signIn.setAttribute("aria-disabled", "true");
  });
})();

// The staff pages' small helpers; every page works without them.
// - On a phone the navigation folds into the Menu button (without JavaScript it stays in view).
// - Alt+L opens the log form from any page (the menu may hide the link that carries the access key).
// - On the log form: Down from the search goes to the matches, Up and Down choose a customer, Enter
//   takes the chosen one and moves on to the channel; Ctrl+Enter logs the interaction.
// - Escape or a click elsewhere closes the "More" menu.
(function () {
  "use strict";

  function setUpMenu() {
    var button = document.querySelector(".menu-button");
    var menu = document.getElementById("site-menu");
    if (!button || !menu) return;
    document.documentElement.classList.add("has-menu-button");
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("open", open);
    });
  }

  function closeMore(except) {
    document.querySelectorAll("details.more[open]").forEach(function (d) {
      if (d !== except) d.removeAttribute("open");
    });
  }

  function matches() {
    return Array.prototype.slice.call(document.querySelectorAll("#customer-matches input[name=customer]"));
  }

  function firstChannel() {
    return document.querySelector("input[name=channel]:checked") || document.querySelector("input[name=channel]");
  }

  function take(radio) {
    if (!radio.checked) {
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));  // htmx fetches the gestures' standings
    }
    var next = firstChannel();
    if (next) next.focus();
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.altKey && !event.ctrlKey && !event.metaKey && event.code === "KeyL") {
      var link = document.querySelector("a[accesskey=l]");
      if (link) {
        event.preventDefault();
        if (location.pathname === link.pathname) {
          var search = document.getElementById("id_q");
          if (search) search.focus();
        } else {
          location.href = link.href;
        }
      }
      return;
    }
    if (event.key === "Escape") closeMore(null);
    if (target.id === "id_q") {
      var found = matches();
      if (event.key === "ArrowDown" && found.length) {
        event.preventDefault();
        var checked = found.filter(function (r) { return r.checked; })[0] || found[0];
        checked.focus();
        if (!checked.checked) { checked.checked = true; checked.dispatchEvent(new Event("change", { bubbles: true })); }
      } else if (event.key === "Enter" && found.length) {
        event.preventDefault();  // the matches came in as they typed: Enter takes the chosen one
        take(found.filter(function (r) { return r.checked; })[0] || found[0]);
      }
      return;
    }
    if (target.name === "customer" && target.type === "radio") {
      if (event.key === "Enter") {
        event.preventDefault();  // take the customer, do not log yet
        take(target);
      } else if (event.key === "ArrowUp" && matches()[0] === target) {
        event.preventDefault();
        document.getElementById("id_q").focus();
      }
      return;
    }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.form && target.form.classList.contains("log-form")) {
      event.preventDefault();
      target.form.requestSubmit();
    }
  });

  document.addEventListener("click", function (event) {
    closeMore(event.target.closest && event.target.closest("details.more"));
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpMenu);
  else setUpMenu();
})();

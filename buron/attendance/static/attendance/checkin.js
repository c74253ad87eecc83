/* A member's check-in that survives a dropped connection.
 *
 * The check-in is put in a queue in localStorage (with its identifier and the time it was
 * made) before it is sent; it leaves the queue once the server has answered it, accepted or
 * refused. Whatever could not be sent is sent again when the browser says the connection
 * is back ("online"), or the next time this page opens. The server records a check-in
 * once per identifier, so sending one twice counts it once. Without this script the form
 * is posted as it is and the server takes the time of arrival itself.
 */
(function () {
  "use strict";
  var form = document.getElementById("checkin-form");
  if (!form || !window.fetch || !window.localStorage || !window.URLSearchParams) {
    return;
  }
  var statusLine = document.getElementById("checkin-status");
  var key = form.getAttribute("data-queue-key");
  var sending = false;

  function load() {
    try {
      return JSON.parse(window.localStorage.getItem(key) || "[]");
    } catch (error) {
      return [];
    }
  }

  function store(queue) {
    window.localStorage.setItem(key, JSON.stringify(queue));
  }

  function drop(id) {
    store(load().filter(function (item) { return item.id !== id; }));
  }

  function say(text) {
    statusLine.textContent = text;
  }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    return form.elements.client_uuid.value;
  }

  function send(item) {
    var body = new URLSearchParams();
    body.set("csrfmiddlewaretoken", item.csrf);
    body.set("client_uuid", item.id);
    body.set("arrived_at", item.at);
    return window.fetch(item.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) {
        return { status: response.status, data: data };
      });
    });
  }

  function flush() {
    var queue = load();
    if (sending || queue.length === 0) {
      return;
    }
    sending = true;
    var item = queue[0];
    send(item).then(function (answer) {
      sending = false;
      if (answer.status === 200 || answer.status === 201) {
        drop(item.id);
        say(answer.data.message || form.getAttribute("data-sent"));
        flush();
      } else if (answer.status === 422) {
        drop(item.id);
        say(form.getAttribute("data-refused") + " " + answer.data.detail);
        flush();
      } else {
        say(form.getAttribute("data-saved"));
      }
    }, function () {
      sending = false;
      say(form.getAttribute("data-saved"));
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var queue = load();
    queue.push({
      id: newId(),
      at: new Date().toISOString(),
      url: form.action,
      csrf: form.elements.csrfmiddlewaretoken.value
    });
    store(queue);
    flush();
  });
  window.addEventListener("online", flush);
  flush();
})();

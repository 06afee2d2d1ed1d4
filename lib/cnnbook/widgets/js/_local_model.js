/* The static page's stand-in for anywidget's model, and the loader of a widget's ES module.
 *
 * cnnbookAnywidget(id) reads the JSON element "<id>-data" ({esm, css, state}),
 * makes a local model over state (get, set, on, off, save_changes, send;
 * set fires "change:<name>" and "change" at once when the value differs, as
 * anywidget's model does; values {"$base64": ...} become DataViews, as binary
 * traits do live), imports the ES module from a blob URL (the module's own
 * text, inlined; nothing is fetched) and calls its initialize and render with
 * the element <id>. Errors go to the console and to the element.
 */
/* exported cnnbookAnywidget */
function cnnbookAnywidget(id) {
  "use strict";
  var el = document.getElementById(id);
  var data = JSON.parse(document.getElementById(id + "-data").textContent);
  var state = {}, listeners = {};
  Object.keys(data.state).forEach(function (name) {
    var value = data.state[name];
    if (value && typeof value === "object" && typeof value.$base64 === "string") {
      var bytes = Uint8Array.from(atob(value.$base64), function (c) { return c.charCodeAt(0); });
      value = new DataView(bytes.buffer);
    }
    state[name] = value;
  });
  function same(a, b) {
    return a === b || (typeof a === "object" && typeof b === "object" && a !== null && b !== null &&
                       !(a instanceof DataView) && JSON.stringify(a) === JSON.stringify(b));
  }
  function emit(name, value) {
    (listeners[name] || []).slice().forEach(function (callback) { callback(model, value); });
  }
  var model = {
    get: function (name) { return state[name]; },
    set: function (name, value) {
      if (same(state[name], value)) { return; }
      state[name] = value;
      emit("change:" + name, value);
      emit("change");
    },
    on: function (name, callback) { (listeners[name] = listeners[name] || []).push(callback); },
    off: function (name, callback) {
      if (!name) { listeners = {}; }
      else if (!callback) { delete listeners[name]; }
      else { listeners[name] = (listeners[name] || []).filter(function (c) { return c !== callback; }); }
    },
    save_changes: function () {},   // no kernel to sync with
    send: function () {}            // no kernel to send to
  };
  if (data.css) {
    var style = document.createElement("style");
    style.textContent = data.css;
    el.appendChild(style);
  }
  var url = URL.createObjectURL(new Blob([data.esm], {type: "text/javascript"}));
  import(url).then(function (module) {
    URL.revokeObjectURL(url);
    return typeof module.default === "function" ? module.default() : (module.default || module);
  }).then(function (widget) {
    return Promise.resolve(widget.initialize && widget.initialize({model: model})).then(function () {
      var noscript = el.querySelector("noscript");
      if (noscript) { noscript.remove(); }
      return widget.render({model: model, el: el});
    });
  }).catch(function (error) {
    el.textContent = "This interactive view could not start: " + error;
    console.error(error);
  });
}

/* The parameter calculator of chapter 4: cnnbook.widgets.ParamCalculator's one front end.
 *
 * An anywidget ES module: live in Jupyter and Colab, and in the HTML book on
 * a local model (see _anywidget.py). Controls: preset, input size, channels,
 * biases, the layer stack typed one layer per line. The parser is
 * cnnbook.widgets.param_calculator.parse_stack's, the counts (output shape,
 * parameters, activations, multiply-adds) cnnbook.params.layer_table's, in
 * tables of the classes cnnbook-param-table and pc-formulas. Model: config
 * (presets, limits) and the state preset, size, channels, bias, stack. A
 * change is checked here first (the messages are Python's), then set on the
 * model; the kernel checks it again.
 */
const SIZED = { conv: 2, pool: 1, avgpool: 1, dense: 1, flatten: 0, gap: 0 };
const USAGE = {
  conv: "conv FILTERS KERNEL [stride S] [same|valid], e.g. 'conv 32 5 same'",
  pool: "pool SIZE [stride S] [same|valid], e.g. 'pool 2'",
  avgpool: "avgpool SIZE [stride S] [same|valid], e.g. 'avgpool 2'",
  dense: "dense UNITS, e.g. 'dense 10'", flatten: "flatten (no numbers)", gap: "gap (global average pooling, no numbers)",
};
function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) { node.setAttribute(key, value); }
  if (text !== undefined) { node.textContent = text; }
  return node;
}
const grouped = (n) => n.toLocaleString("en-US");
const percent = (part, whole) => (whole ? (100 * part / whole).toFixed(1) : "0.0");

// ---- parsing (as cnnbook.widgets.param_calculator.parse_stack) ----
function number(token, what, line, config) {
  var parts = String(token).toLowerCase().split("x");
  if (parts.length > 2 || (parts.length === 2 && what !== "KERNEL") || !parts.every(function (p) { return /^\d+$/.test(p); })) {
    throw new Error(line + ": " + what + " must be a whole number" + (what === "KERNEL" ? " or RxC" : "") + ", got '" + token + "'");
  }
  var values = parts.map(Number);
  if (Math.min.apply(null, values) < 1) { throw new Error(line + ": " + what + " must be at least 1, got '" + token + "'"); }
  if (Math.max.apply(null, values) > config.maxNumber) { throw new Error(line + ": " + what + " must be at most " + config.maxNumber + ", got '" + token + "'"); }
  return values.length === 1 ? [values[0], values[0]] : values;
}
function parseLine(words, line, bias, config) {
  var word = words[0].toLowerCase();
  if (!(word in SIZED)) { throw new Error(line + ": unknown layer '" + words[0] + "'; use one of " + Object.keys(SIZED).join(", ")); }
  var rest = words.slice(1), stride = null, padding = "valid", numbers = [];
  for (var i = 0; i < rest.length; i++) {
    var token = rest[i].toLowerCase();
    if (token === "same" || token === "valid") { padding = token; }
    else if (token.indexOf("stride=") === 0) { stride = number(token.slice(7), "STRIDE", line, config)[0]; }
    else if (token === "stride") { i++; stride = number(i < rest.length ? rest[i] : "", "STRIDE", line, config)[0]; }
    else { numbers.push(rest[i]); }
  }
  if (numbers.length !== SIZED[word] || ((word === "dense" || word === "flatten" || word === "gap") && (stride || padding !== "valid"))) {
    throw new Error(line + ": expected " + USAGE[word]);
  }
  if (word === "conv") {
    return {kind: "Conv2D", filters: number(numbers[0], "FILTERS", line, config)[0], kernel: number(numbers[1], "KERNEL", line, config),
            stride: stride || 1, padding: padding, bias: bias};
  }
  if (word === "pool" || word === "avgpool") {
    var size = number(numbers[0], "SIZE", line, config);
    return {kind: word === "pool" ? "MaxPooling2D" : "AveragePooling2D", kernel: size, stride: stride || size[0], padding: padding};
  }
  if (word === "dense") { return {kind: "Dense", units: number(numbers[0], "UNITS", line, config)[0], bias: bias}; }
  return {kind: word === "flatten" ? "Flatten" : "GlobalAveragePooling2D"};
}
function parseStack(text, bias, config) {
  var specs = [];
  text.replace(/;/g, "\n").split(/\r?\n/).forEach(function (raw, index) {
    var words = raw.split("#")[0].trim().split(/\s+/).filter(function (w) { return w.length; });
    if (words.length) { specs.push(parseLine(words, "line " + (index + 1) + " ('" + raw.trim() + "')", bias, config)); }
  });
  if (!specs.length) { throw new Error("the stack is empty: type at least one layer, e.g. 'flatten' and 'dense 10'"); }
  return specs;
}

// ---- counting (as cnnbook.params.layer_table) ----
function outSize(n, k, s, padding, what, row) {
  if (padding === "same") { return Math.ceil(n / s); }
  if (k > n) {
    throw new Error(row + " gets a " + n + "-wide input: the " + k + "-wide " + what + " does not fit (padding 'valid'); " +
                    "use padding='same', a smaller window, or fewer layers that shrink the input before it");
  }
  return Math.floor((n - k) / s) + 1;
}
function layerTable(shape, specs) {
  var product = function (s) { return s.reduce(function (a, b) { return a * b; }, 1); };
  var rows = [{name: "input", kind: "InputLayer", shape: shape, params: 0, activations: product(shape), mult: 0, formula: ""}];
  var counts = {conv: 0, pool: 0, dense: 0, flatten: 0, gpool: 0};
  specs.forEach(function (spec, index) {
    var before = rows[rows.length - 1].shape, row = {kind: spec.kind, mult: 0, params: 0, formula: "0"};
    var where = "layer " + (index + 1) + " (" + spec.kind + ")";
    var spatial = spec.kind === "Conv2D" || spec.kind === "MaxPooling2D" || spec.kind === "AveragePooling2D" ||
                  spec.kind === "GlobalAveragePooling2D";
    if (spatial && before.length !== 3) {
      throw new Error(where + " gets a vector of " + before[0] + " numbers: " + spec.kind +
                      " needs a (rows, cols, channels) input; it cannot follow Flatten, Dense or global pooling");
    }
    if (spec.kind === "Conv2D") {
      row.name = "conv" + (++counts.conv);
      var c = before[2], taps = spec.kernel[0] * spec.kernel[1] * c;
      row.shape = [outSize(before[0], spec.kernel[0], spec.stride, spec.padding, "kernel", where),
                   outSize(before[1], spec.kernel[1], spec.stride, spec.padding, "kernel", where), spec.filters];
      row.params = taps * spec.filters + (spec.bias ? spec.filters : 0);
      row.mult = row.shape[0] * row.shape[1] * spec.filters * taps;
      row.formula = spec.bias ? "(" + spec.kernel[0] + "*" + spec.kernel[1] + "*" + c + "+1)*" + spec.filters
                              : spec.kernel[0] + "*" + spec.kernel[1] + "*" + c + "*" + spec.filters;
    } else if (spec.kind === "MaxPooling2D" || spec.kind === "AveragePooling2D") {
      row.name = "pool" + (++counts.pool);
      row.shape = [outSize(before[0], spec.kernel[0], spec.stride, spec.padding, "pooling window", where),
                   outSize(before[1], spec.kernel[1], spec.stride, spec.padding, "pooling window", where), before[2]];
    } else if (spec.kind === "GlobalAveragePooling2D") {
      row.name = "gpool" + (++counts.gpool);
      row.shape = [before[2]];
    } else if (spec.kind === "Flatten") {
      row.name = "flatten" + (++counts.flatten);
      row.shape = [product(before)];
    } else {
      row.name = "dense" + (++counts.dense);
      var inputs = before[before.length - 1];
      row.shape = before.slice(0, -1).concat([spec.units]);
      row.params = inputs * spec.units + (spec.bias ? spec.units : 0);
      row.mult = product(before.slice(0, -1)) * inputs * spec.units;
      row.formula = spec.bias ? "(" + inputs + "+1)*" + spec.units : inputs + "*" + spec.units;
      row.note = before.length === 3;
    }
    row.activations = product(row.shape);
    rows.push(row);
  });
  return rows;
}

function tableHtml(rows) {
  const sums = { params: 0, mult: 0, activations: 0 };
  for (const r of rows) {
    sums.params += r.params; sums.mult += r.mult;
    if (r.kind !== "Flatten") { sums.activations += r.activations; }
  }
  const heaviest = rows.reduce((a, b) => (b.params > a.params ? b : a));
  const busiest = rows.reduce((a, b) => (b.mult > a.mult ? b : a));
  const parts = ["<b>" + grouped(sums.params) + "</b> parameters" + (sums.params ? " (" + percent(heaviest.params, sums.params) +
                 " % in <code>" + heaviest.name + "</code>)" : ""),
                 "<b>" + grouped(sums.mult) + "</b> multiply-adds per image" + (sums.mult ? " (" + percent(busiest.mult, sums.mult) +
                 " % in <code>" + busiest.name + "</code>)" : ""),
                 "<b>" + grouped(sums.activations) + "</b> activations per image (" +
                 (4 * sums.activations / 1024).toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 }) +
                 " KiB at float32)"];
  const cellStyle = "padding:2px 8px;border-bottom:1px solid #ddd;";
  const head = ["layer", "output shape", "params", "% params", "activations", "mult-adds", "% mult-adds"];
  const line = (cells, bold) => "<tr>" + cells.map((text, i) =>
    `<td style="${cellStyle}${bold ? "font-weight:bold;" : ""}text-align:${i ? "right" : "left"};">${text}</td>`).join("") + "</tr>";
  const body = rows.map((r) => line([r.name, r.shape.join("x"), grouped(r.params), percent(r.params, sums.params),
    grouped(r.activations), grouped(r.mult), percent(r.mult, sums.mult)])).join("");
  const total = line(["total", "", grouped(sums.params), sums.params ? "100.0" : "0.0", grouped(sums.activations),
    grouped(sums.mult), sums.mult ? "100.0" : "0.0"], true);
  const formulas = rows.slice(1).map((r) =>
    `<tr><td><code>${r.name}</code></td><td><code>${r.formula}</code></td><td>= ${grouped(r.params)}</td></tr>`).join("");
  const notes = rows.filter((r) => r.note).map((r) => `<div style="color:#8a5a00;">Note: <code>${r.name}</code> acts on the ` +
    "last axis of its input (no <code>flatten</code> before it), as Keras does.</div>").join("");
  return `<div class="pc-summary">${parts.join("; ")}.</div>${notes}` +
    '<table class="cnnbook-param-table" style="border-collapse:collapse;font-family:monospace;"><thead><tr>' +
    head.map((h, i) => `<th style="${cellStyle}text-align:${i ? "right" : "left"};">${h}</th>`).join("") +
    "</tr></thead><tbody>" + body + total + "</tbody></table>" +
    '<table class="pc-formulas" style="font-family:monospace;margin-top:6px"><caption style="text-align:left">' +
    "parameters of each layer</caption>" + formulas + "</table>";
}
function check(next, config) {   // the table rows of the settings, or an Error saying why not
  const size = String(next.size), channels = String(next.channels);
  try {
    if (!/^\d+$/.test(size) || Number(size) < 1 || Number(size) > config.maxSize) {
      throw new Error(`input size must be an int from 1 to ${config.maxSize}; got '${next.size}'`);
    }
    if (!/^\d+$/.test(channels) || Number(channels) < 1 || Number(channels) > config.maxChannels) {
      throw new Error(`channels must be an int from 1 to ${config.maxChannels}; got '${next.channels}'`);
    }
    return layerTable([Number(size), Number(size), Number(channels)], parseStack(next.stack, next.bias, config));
  } catch (error) {
    throw new Error(`This stack does not work on a ${next.size}x${next.size}x${next.channels} input. ${error.message}`);
  }
}

function render({ model, el: host }) {
  const { body, setError } = cnnbookFrame({ model, el: host });
  const config = model.get("config");
  const NAMES = ["preset", "size", "channels", "bias", "stack"];
  const state = () => Object.fromEntries(NAMES.map((n) => [n, model.get(n)]));

  const controls = el("div", { style: "display:flex;flex-wrap:wrap;gap:6px 18px;font:13px sans-serif;margin:4px 0" });
  const labelled = (text, control) => {
    const label = el("label", { style: "white-space:nowrap" }, text + " ");
    label.append(control);
    controls.append(label);
    return control;
  };
  const preset = labelled("Preset", el("select", { "data-control": "preset" }));
  for (const name of Object.keys(config.presets)) { preset.append(el("option", { value: name }, name)); }
  const size = labelled("Input size", el("input", { type: "number", min: 1, max: config.maxSize, step: 1, "data-control": "size", style: "width:6em" }));
  const channels = labelled("Channels", el("input", { type: "number", min: 1, max: config.maxChannels, step: 1, "data-control": "channels", style: "width:6em" }));
  const bias = labelled("Count biases", el("input", { type: "checkbox", "data-control": "bias" }));
  const stack = el("textarea", { rows: 9, cols: 34, "data-control": "stack", "aria-label": "layer stack" });
  const help = el("div", { style: "font-size:90%;line-height:1.4;max-width:30em" });
  help.innerHTML = "One layer per line (<code>#</code> starts a comment):<br><code>conv FILTERS KERNEL [stride S] [same|valid]</code><br>" +
    "<code>pool SIZE [stride S] [same|valid]</code>, <code>avgpool SIZE ...</code><br><code>gap</code> (global average pooling), " +
    "<code>flatten</code>, <code>dense UNITS</code><br>KERNEL is <code>5</code> or <code>5x3</code>. The table updates when the box loses focus.";
  const editor = el("div", { style: "display:flex;gap:12px;align-items:flex-start" });
  editor.append(stack, help);
  const output = el("div", { class: "pc-output", style: "font:13px sans-serif" });
  body.append(controls, editor, output);

  let shownKey = null;
  function draw() {
    const s = state();
    preset.value = s.preset;
    size.value = s.size; channels.value = s.channels; bias.checked = s.bias;
    stack.value = s.stack;
    const key = JSON.stringify([s.size, s.channels, s.bias, s.stack]);
    if (key !== shownKey) {   // the state held always works (Python and this module check it)
      output.innerHTML = tableHtml(check(s, config));
      shownKey = key;
    }
  }
  function attempt(next) {   // apply the settings, or show why not and keep the last table
    try {
      check(next, config);
    } catch (error) {
      setError(error.message);
      draw();
      stack.value = String(next.stack);   // the typed stack stays, to be corrected
      return;
    }
    const before = state();
    next = { ...next, size: Number(next.size), channels: Number(next.channels) };
    for (const n of NAMES) {
      if (next[n] !== before[n]) { model.set(n, next[n]); }
    }
    model.save_changes();
    setError("");
  }
  const fromControls = () => ({ preset: model.get("preset"), size: size.value, channels: channels.value, bias: bias.checked, stack: stack.value });
  preset.addEventListener("change", () => attempt({ preset: preset.value, ...config.presets[preset.value] }));
  for (const control of [size, channels, bias, stack]) {
    control.addEventListener("change", () => attempt(fromControls()));
  }

  return cnnbookRedraws(model, NAMES, draw);
}
export default { render };

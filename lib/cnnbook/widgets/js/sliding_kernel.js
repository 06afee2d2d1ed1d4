/* The sliding-kernel widget of chapter 1 in the page, with no kernel.
 *
 * The static stand-in of cnnbook.widgets.SlidingKernel: the same controls
 * (output cell, stride, padding, dilation, presets, typed kernel, the
 * convolution toggle), the same arithmetic as cnnbook.conv.conv2d and
 * cnnbook.conv.pad_amounts, the same tables (classes sk-input, sk-kernel,
 * sk-products, sk-output, sk-sum). The data (image, presets, settings) come
 * from the JSON script element "<id>-data". No external script is loaded.
 */
/* exported cnnbookSlidingKernel */
function cnnbookSlidingKernel(rootId) {
  "use strict";
  var root = document.getElementById(rootId);
  var data = JSON.parse(document.getElementById(rootId + "-data").textContent);
  var image = data.image;                       // [channel][row][col]
  var channels = image.length, height = image[0].length, width = image[0][0].length;
  var CUSTOM = "custom (typed)";
  var state = {stride: data.stride, padding: data.padding, dilation: data.dilation, flip: data.flip,
               position: data.position, kernel: null};

  function fmt(value, decimals) {
    var rounded = Math.round(value);
    if (Math.abs(value - rounded) <= 1e-9 * Math.max(1, Math.abs(value))) { return String(rounded); }
    var text = value.toFixed(decimals);
    return Number(text) === 0 ? "0" : text;
  }
  function weight(value) {
    var text = fmt(value, 3);
    return value < 0 && text !== "0" ? "(" + text + ")" : text;
  }
  function peak(values) {
    var top = 0;
    values.forEach(function (v) { top = Math.max(top, Math.abs(v)); });
    return top > 0 ? top : 1;
  }
  function grey(value, scale) {
    var level = Math.round(128 + 127 * Math.max(-1, Math.min(1, value / scale)));
    return "background:rgb(" + level + "," + level + "," + level + ");color:" + (level >= 110 ? "#000" : "#fff");
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // ---- parsing the kernel box (as cnnbook.widgets.sliding_kernel.parse_kernel) ----
  function parseNumber(token, row) {
    var value;
    if (token.indexOf("/") >= 0) {
      var parts = [token.slice(0, token.indexOf("/")), token.slice(token.indexOf("/") + 1)];
      var a = Number(parts[0]), b = Number(parts[1]);
      value = (parts[0].trim() === "" || parts[1].trim() === "" || b === 0) ? NaN : a / b;
    } else {
      value = token.trim() === "" ? NaN : Number(token);
    }
    if (isNaN(value)) {
      throw new Error("'" + token + "' in row " + row + " is not a number; use values such as 2, -1.5 or 1/9");
    }
    if (!isFinite(value)) { throw new Error("'" + token + "' in row " + row + " is not a finite number"); }
    if (Math.abs(value) > data.maxValue) {
      throw new Error("'" + token + "' in row " + row + " is too large: values must lie between -" +
                      data.maxValue + " and " + data.maxValue);
    }
    return value;
  }
  function parseBlock(text) {
    var lines = text.replace(/\[/g, " ").replace(/\]/g, "\n").replace(/;/g, "\n").split(/\r?\n/);
    var rows = lines.map(function (line) { return line.replace(/,/g, " ").trim(); })
      .filter(function (line) { return line.length > 0; })
      .map(function (line) { return line.split(/\s+/); });
    if (!rows.length) { throw new Error("the kernel is empty: type rows of numbers, one row per line, e.g. 1 2 1"); }
    var values = rows.map(function (row, i) { return row.map(function (t) { return parseNumber(t, i + 1); }); });
    for (var i = 1; i < values.length; i++) {
      if (values[i].length !== values[0].length) {
        throw new Error("every row needs the same number of values: row 1 has " + values[0].length +
                        ", row " + (i + 1) + " has " + values[i].length);
      }
    }
    if (values.length > data.maxKernel || values[0].length > data.maxKernel) {
      throw new Error("the kernel may have at most " + data.maxKernel + " rows and " + data.maxKernel +
                      " columns; got " + values.length + " rows and " + values[0].length + " columns");
    }
    return values;
  }
  function parseKernel(text) {   // -> [channel][row][col]
    if (channels === 1) { return [parseBlock(text)]; }
    var blocks = text.split(/^\s*\|\s*$/m).filter(function (b) { return b.trim().length > 0; }).map(parseBlock);
    if (!blocks.length) { throw new Error("the kernel is empty: type rows of numbers, one row per line, e.g. 1 2 1"); }
    if (blocks.length !== 1 && blocks.length !== channels) {
      throw new Error("the image has " + channels + " channels: type one kernel slice for all of them or " +
                      channels + " slices separated by lines holding only |; got " + blocks.length + " slices");
    }
    blocks.forEach(function (b) {
      if (b.length !== blocks[0].length || b[0].length !== blocks[0][0].length) {
        throw new Error("every channel's slice needs the same rows and columns");
      }
    });
    var out = [];
    for (var c = 0; c < channels; c++) { out.push(blocks.length === 1 ? blocks[0] : blocks[c]); }
    return out;
  }

  // ---- geometry (as cnnbook.conv.pad_amounts and conv2d) ----
  function pads(n, k) {
    var reach = state.dilation * (k - 1) + 1;
    if (state.padding === "valid") { return [0, 0]; }
    if (state.padding === "full") { return [reach - 1, reach - 1]; }
    if (state.padding === "same") {
      var out = Math.ceil(n / state.stride);
      var total = Math.max((out - 1) * state.stride + reach - n, 0);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    }
    return [state.padding, state.padding];
  }
  function applied() {  // the kernel as it slides: rotated by 180 degrees in convolution mode
    return state.kernel.map(function (slice) {
      var rows = slice.map(function (row) { return state.flip ? row.slice().reverse() : row.slice(); });
      return state.flip ? rows.reverse() : rows;
    });
  }
  function compute() {   // throws when the kernel does not fit
    var kh = state.kernel[0].length, kw = state.kernel[0][0].length;
    var rp = pads(height, kh), cp = pads(width, kw);
    var ph = height + rp[0] + rp[1], pw = width + cp[0] + cp[1];
    var reachH = state.dilation * (kh - 1) + 1, reachW = state.dilation * (kw - 1) + 1;
    if (reachH > ph || reachW > pw) {
      throw new Error("the kernel spans " + reachH + "x" + reachW + " cells (dilation " + state.dilation +
                      "), larger than the padded input " + ph + "x" + pw + ". The last valid setting is still shown.");
    }
    var padded = image.map(function (plane) {
      var grid = [];
      for (var r = 0; r < ph; r++) {
        var line = [];
        for (var c = 0; c < pw; c++) {
          var i = r - rp[0], j = c - cp[0];
          line.push(i >= 0 && i < height && j >= 0 && j < width ? plane[i][j] : 0);
        }
        grid.push(line);
      }
      return grid;
    });
    var k = applied();
    var oh = Math.floor((ph - reachH) / state.stride) + 1, ow = Math.floor((pw - reachW) / state.stride) + 1;
    var output = [];
    for (var r = 0; r < oh; r++) {
      var line = [];
      for (var c = 0; c < ow; c++) {
        var total = 0;
        for (var ch = 0; ch < channels; ch++) {
          for (var a = 0; a < kh; a++) {
            for (var b = 0; b < kw; b++) {
              total += padded[ch][r * state.stride + a * state.dilation][c * state.stride + b * state.dilation] * k[ch][a][b];
            }
          }
        }
        line.push(total);
      }
      output.push(line);
    }
    return {padded: padded, rp: rp, cp: cp, output: output, applied: k, kh: kh, kw: kw, reachH: reachH, reachW: reachW};
  }

  // ---- the page ----
  var controls = el("div", {"class": "sk-controls", style: "display:flex;flex-wrap:wrap;gap:6px 18px;font:13px sans-serif;margin:4px 0"});
  function labelled(text, control) {
    var label = el("label", {style: "white-space:nowrap"}, text + " ");
    label.appendChild(control);
    controls.appendChild(label);
    return control;
  }
  var preset = labelled("kernel", el("select", {"data-control": "preset"}));
  Object.keys(data.presets).concat([CUSTOM]).forEach(function (name) { preset.appendChild(el("option", {value: name}, name)); });
  var padding = labelled("padding", el("select", {"data-control": "padding"}));
  data.paddingOptions.forEach(function (p) { padding.appendChild(el("option", {value: String(p)}, String(p))); });
  var stride = labelled("stride", el("input", {type: "range", min: 1, max: data.maxStride, step: 1, "data-control": "stride"}));
  var strideText = el("span", {}, "");
  controls.appendChild(strideText);
  var dilation = labelled("dilation", el("input", {type: "range", min: 1, max: data.maxDilation, step: 1, "data-control": "dilation"}));
  var dilationText = el("span", {}, "");
  controls.appendChild(dilationText);
  var flip = labelled("convolution (rotate the kernel 180\u00b0)", el("input", {type: "checkbox", "data-control": "flip"}));
  var position = labelled("output cell", el("input", {type: "range", min: 0, max: 0, step: 1, "data-control": "position", style: "width:260px"}));
  var positionText = el("span", {"class": "sk-cell"}, "");
  controls.appendChild(positionText);
  var play = el("button", {type: "button", "data-control": "play"}, "Play");
  controls.appendChild(play);
  var message = el("div", {"class": "cnnbook-error", style: "color:#b00020;font:13px sans-serif"}, "");
  var info = el("div", {"class": "sk-info", style: "font:12px sans-serif;max-width:60em;margin:4px 0"});
  var grids = el("div", {"class": "cnnbook-sk", style: "display:flex;gap:24px;flex-wrap:wrap;align-items:flex-start"});
  var inputBox = el("div"), middle = el("div"), outputBox = el("div");
  grids.appendChild(inputBox); grids.appendChild(middle); grids.appendChild(outputBox);
  var textBox = el("div", {style: "display:flex;gap:12px;align-items:flex-start;margin-top:6px"});
  var kernelText = el("textarea", {rows: 6, cols: 34, "data-control": "kernel", "aria-label": "kernel values"});
  textBox.appendChild(kernelText);
  textBox.appendChild(el("small", {style: "max-width:260px"}, "One kernel row per line; numbers such as 2, -1.5 or 1/9." +
    (channels > 1 ? " A line holding only | separates the channels' slices." : "") +
    " The kernel updates when you click outside the box."));
  [controls, info, grids, textBox, message].forEach(function (node) { root.appendChild(node); });

  var result = null;
  function table(cls, caption, rows) {
    return '<table class="' + cls + '"><caption>' + caption + "</caption>" +
      rows.map(function (r) { return "<tr>" + r.join("") + "</tr>"; }).join("") + "</table>";
  }
  function presetName() {
    var first = JSON.stringify(state.kernel[0]);
    if (state.kernel.some(function (s) { return JSON.stringify(s) !== first; })) { return CUSTOM; }
    var names = Object.keys(data.presets);
    for (var i = 0; i < names.length; i++) {
      if (JSON.stringify(parseBlock(data.presets[names[i]])) === first) { return names[i]; }
    }
    return CUSTOM;
  }
  function renderStructure() {
    var r = result, oh = r.output.length, ow = r.output[0].length;
    position.max = oh * ow - 1;
    state.position = Math.min(state.position, oh * ow - 1);
    stride.value = state.stride; strideText.textContent = state.stride;
    dilation.value = state.dilation; dilationText.textContent = state.dilation;
    padding.value = String(state.padding);
    flip.checked = state.flip;
    preset.value = presetName();
    var kScale = peak([].concat.apply([], [].concat.apply([], r.applied)));
    middle.innerHTML = r.applied.map(function (slice, ch) {
      return table("sk-kernel", (state.flip ? "kernel rotated 180&deg; " : "kernel ") + r.kh + "&times;" + r.kw +
        (channels > 1 ? ", channel " + ch : ""),
        slice.map(function (row) { return row.map(function (v) { return '<td style="' + grey(v, kScale) + '">' + fmt(v, 3) + "</td>"; }); }));
    }).join("") + '<div class="sk-products-box"></div>';
    var formula = function (n, a, b, reach, o) {
      return "&lfloor;(" + n + " + " + a + " + " + b + " &minus; " + reach + ") / " + state.stride + "&rfloor; + 1 = " + o;
    };
    info.innerHTML = (state.flip ? "Convolution: the kernel is rotated by 180&deg; before it slides. "
      : "Correlation (what CNN layers compute): the kernel slides as typed. ") +
      (channels > 1 ? "The products are summed over all " + channels + " channels. " : "") +
      "Input " + height + "&times;" + width + "; padding '" + state.padding + "' adds " + r.rp[0] + " row(s) on top, " +
      r.rp[1] + " at the bottom, " + r.cp[0] + " column(s) on the left, " + r.cp[1] + " on the right (hatched cells) &rarr; padded " +
      r.padded[0].length + "&times;" + r.padded[0][0].length + ". The " + r.kh + "&times;" + r.kw + " kernel with dilation " +
      state.dilation + " spans " + r.reachH + "&times;" + r.reachW + " cells. Output rows: " +
      formula(height, r.rp[0], r.rp[1], r.reachH, oh) + ", columns: " + formula(width, r.cp[0], r.cp[1], r.reachW, ow) + ".";
  }
  function renderPosition() {
    var r = result, ow = r.output[0].length, oh = r.output.length, d = data.decimals;
    position.value = state.position;
    var row = Math.floor(state.position / ow), col = state.position % ow;
    positionText.textContent = "(" + row + ", " + col + ")";
    var rows = [], cols = [];
    for (var a = 0; a < r.kh; a++) { rows.push(row * state.stride + a * state.dilation); }
    for (var b = 0; b < r.kw; b++) { cols.push(col * state.stride + b * state.dilation); }
    var inScale = peak([].concat.apply([], [].concat.apply([], image)));
    inputBox.innerHTML = r.padded.map(function (plane, ch) {
      return table("sk-input", "padded input " + plane.length + "&times;" + plane[0].length + (channels > 1 ? ", channel " + ch : ""),
        plane.map(function (line, i) {
          return line.map(function (v, j) {
            var pad = i < r.rp[0] || i >= r.rp[0] + height || j < r.cp[0] || j >= r.cp[0] + width;
            var cls = (pad ? "pad " : "") + (rows.indexOf(i) >= 0 && cols.indexOf(j) >= 0 ? "hot" :
              (i >= rows[0] && i <= rows[rows.length - 1] && j >= cols[0] && j <= cols[cols.length - 1] ? "span" : ""));
            return '<td class="' + cls.trim() + '" style="' + grey(v, inScale) + '">' + fmt(v, d) + "</td>";
          });
        }));
    }).join("");
    var outScale = peak([].concat.apply([], r.output));
    outputBox.innerHTML = table("sk-output", "output " + oh + "&times;" + ow, r.output.map(function (line, i) {
      return line.map(function (v, j) {
        var index = i * ow + j;
        if (index > state.position) { return '<td class="blank"></td>'; }
        return '<td class="' + (index === state.position ? "hot" : "") + '" style="' + grey(v, outScale) + '">' + fmt(v, d) + "</td>";
      });
    }));
    var terms = [], count = 0;
    var products = r.applied.map(function (slice, ch) {
      return table("sk-products", "input &times; weight = product" + (channels > 1 ? ", channel " + ch : ""),
        slice.map(function (kRow, a) {
          return kRow.map(function (w, b) {
            var x = r.padded[ch][rows[a]][cols[b]], p = x * w;
            terms.push(fmt(p, d)); count++;
            return '<td class="sk-prod">' + fmt(x, d) + "&times;" + weight(w) + "<br><b>" + fmt(p, d) + "</b></td>";
          });
        }));
    }).join("");
    var sum = count > 27 ? "the sum of " + count + " products" : terms.join(" + ").replace(/\+ -/g, "&minus; ");
    middle.querySelector(".sk-products-box").innerHTML = products +
      '<div style="max-width:360px;font:12px monospace">O[' + row + ", " + col + "] = " + sum +
      ' = <b class="sk-sum">' + fmt(r.output[row][col], d) + "</b></div>";
  }
  function attempt(change) {   // apply a change of state, or show why not and keep the last valid one
    var before = JSON.stringify(state);
    try {
      change();
      result = compute();
      message.textContent = "";
    } catch (error) {
      state = JSON.parse(before);
      message.textContent = "Not applied: " + error.message;
    }
    renderStructure();
    renderPosition();
  }

  preset.addEventListener("change", function () {
    if (preset.value === CUSTOM) { preset.value = presetName(); return; }  // custom means typed
    var text = data.presets[preset.value];
    attempt(function () { state.kernel = parseKernel(text); });
    if (!message.textContent) { kernelText.value = text; }
  });
  padding.addEventListener("change", function () {
    attempt(function () { state.padding = /^\d+$/.test(padding.value) ? Number(padding.value) : padding.value; });
  });
  stride.addEventListener("input", function () { attempt(function () { state.stride = Number(stride.value); }); });
  dilation.addEventListener("input", function () { attempt(function () { state.dilation = Number(dilation.value); }); });
  flip.addEventListener("change", function () { attempt(function () { state.flip = flip.checked; }); });
  position.addEventListener("input", function () { state.position = Number(position.value); renderPosition(); });
  kernelText.addEventListener("change", function () {
    try {
      var kernel = parseKernel(kernelText.value);
      attempt(function () { state.kernel = kernel; });
    } catch (error) {
      message.textContent = "Not applied: " + error.message + ". Still using the last valid kernel.";
    }
  });
  var timer = null;
  play.addEventListener("click", function () {
    if (timer) { clearInterval(timer); timer = null; play.textContent = "Play"; return; }
    play.textContent = "Pause";
    timer = setInterval(function () {
      state.position = (state.position + 1) % (Number(position.max) + 1);
      renderPosition();
    }, 600);
  });

  state.kernel = data.kernel;
  kernelText.value = data.kernelText;
  result = compute();
  renderStructure();
  renderPosition();
}

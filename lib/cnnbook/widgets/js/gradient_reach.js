/* The gradient-reach widget of chapter 5 in the page, with no kernel.
 *
 * The static stand-in of cnnbook.widgets.GradientReach: the same controls
 * (mode, input size, kernel size, stride, padding, chosen row and column,
 * typed dL/dO), the same bookkeeping and the same totals as
 * cnnbook.grad.conv2d_backward, in tables with the same classes (gr-input,
 * gr-filter, gr-gradient, gr-dx, gr-df). The data come from the JSON script
 * element "<id>-data". No external script is loaded.
 */
/* exported cnnbookGradientReach */
function cnnbookGradientReach(rootId) {
  "use strict";
  var root = document.getElementById(rootId);
  var data = JSON.parse(document.getElementById(rootId + "-data").textContent);
  var OUTPUT = data.modes[0];
  var SUB = "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089";
  var state = {n: data.n, k: data.k, stride: data.stride, padding: data.padding, mode: data.mode,
               row: data.row, col: data.col, gradient: data.gradient};
  var geo = null;

  function sub(text) { return String(text).replace(/[0-9]/g, function (d) { return SUB[Number(d)]; }); }
  function name(letter, r, c) { return letter + sub(String(r + 1) + String(c + 1)); }
  function fmt(value) {
    if (value === Math.round(value) && Math.abs(value) < 1e9) { return String(value); }
    return Number(value.toPrecision(3)).toString();
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function pads(n, k, stride, padding) {
    if (padding === "valid") { return [0, 0]; }
    if (padding === "full") { return [k - 1, k - 1]; }
    if (padding === "same") {
      var out = Math.ceil(n / stride), total = Math.max((out - 1) * stride + k - n, 0);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    }
    return [padding, padding];
  }
  function geometry(s) {   // throws when the filter does not fit
    var p = pads(s.n, s.k, s.stride, s.padding), size = s.n + p[0] + p[1];
    if (s.k > size) {
      throw new Error("the " + s.k + "x" + s.k + " filter is larger than the padded input (" + size + "x" + size +
                      "). The last valid setting is still shown.");
    }
    var out = Math.floor((size - s.k) / s.stride) + 1, g = {pads: p, size: size, out: out, source: [], taps: {}, arrivals: {}};
    for (var a = 0; a < size; a++) {
      var line = [];
      for (var b = 0; b < size; b++) {
        var i = a - p[0], j = b - p[0];
        line.push(i >= 0 && i < s.n && j >= 0 && j < s.n ? [i, j] : null);
      }
      g.source.push(line);
    }
    for (i = 0; i < s.n; i++) { for (j = 0; j < s.n; j++) { g.arrivals[i + "," + j] = []; } }
    for (var r = 0; r < out; r++) {
      for (var c = 0; c < out; c++) {
        var taps = [];
        for (a = 0; a < s.k; a++) {
          for (b = 0; b < s.k; b++) {
            var pp = r * s.stride + a, qq = c * s.stride + b;
            taps.push([a, b, pp, qq]);
            var src = g.source[pp][qq];
            if (src) { g.arrivals[src[0] + "," + src[1]].push([r, c, a, b]); }
          }
        }
        g.taps[r + "," + c] = taps;
      }
    }
    return g;
  }
  function x(i, j) { return i * state.n + j + 1; }
  function f(a, b) { return a * state.k + b + 1; }
  function totals() {   // dL/dX and dL/dF over all output cells, as conv2d_backward
    var dx = [], df = [], i, j;
    for (i = 0; i < state.n; i++) { dx.push(new Array(state.n).fill(0)); }
    for (i = 0; i < state.k; i++) { df.push(new Array(state.k).fill(0)); }
    Object.keys(geo.taps).forEach(function (key) {
      var rc = key.split(",").map(Number), g = state.gradient[rc[0]][rc[1]];
      geo.taps[key].forEach(function (t) {
        var src = geo.source[t[2]][t[3]];
        if (src) {
          dx[src[0]][src[1]] += g * f(t[0], t[1]);
          df[t[0]][t[1]] += g * x(src[0], src[1]);
        }
      });
    });
    return {dx: dx, df: df};
  }
  function parseGrid(text, rows, cols) {
    var lines = text.replace(/\[/g, " ").replace(/\]/g, "\n").replace(/;/g, "\n").split(/\r?\n/)
      .map(function (l) { return l.replace(/,/g, " ").trim(); }).filter(function (l) { return l.length; });
    if (!lines.length) { throw new Error("dL/dO is empty: type rows of numbers, one row per line, e.g. 1 2 1"); }
    var values = lines.map(function (line, r) {
      return line.split(/\s+/).map(function (token) {
        var v;
        if (token.indexOf("/") >= 0) {
          var parts = [token.slice(0, token.indexOf("/")), token.slice(token.indexOf("/") + 1)];
          v = (parts[0] === "" || parts[1] === "" || Number(parts[1]) === 0) ? NaN : Number(parts[0]) / Number(parts[1]);
        } else { v = Number(token); }
        if (isNaN(v)) { throw new Error("'" + token + "' in row " + (r + 1) + " is not a number; use values such as 2, -1.5 or 1/9"); }
        if (!isFinite(v)) { throw new Error("'" + token + "' in row " + (r + 1) + " is not a finite number"); }
        if (Math.abs(v) > data.maxValue) {
          throw new Error("'" + token + "' in row " + (r + 1) + " is too large: values must lie between -" + data.maxValue + " and " + data.maxValue);
        }
        return v;
      });
    });
    values.forEach(function (row, r) {
      if (row.length !== values[0].length) {
        throw new Error("every row needs the same number of values: row 1 has " + values[0].length + ", row " + (r + 1) + " has " + row.length);
      }
    });
    if (values.length !== rows || values[0].length !== cols) {
      throw new Error("dL/dO must be " + rows + " rows of " + cols + " values (the output is " + rows + "x" + cols +
                      "); got " + values.length + " row(s) of " + values[0].length + " value(s)");
    }
    return values;
  }
  function defaultGradient(out) {
    var g = [];
    for (var r = 0; r < out; r++) { var line = []; for (var c = 0; c < out; c++) { line.push(r * out + c + 1); } g.push(line); }
    return g;
  }

  // ---- the page ----
  var controls = el("div", {style: "display:flex;flex-wrap:wrap;gap:6px 18px;font:13px sans-serif;margin:4px 0"});
  function labelled(text, control, after) {
    var label = el("label", {style: "white-space:nowrap"}, text + " ");
    label.appendChild(control);
    if (after) { label.appendChild(after); }
    controls.appendChild(label);
    return control;
  }
  var modeBox = el("div", {style: "display:flex;gap:4px;margin:4px 0"});
  var modeButtons = data.modes.map(function (m) {
    var button = el("button", {type: "button", "data-control": "mode", "data-mode": m, style: "width:260px"}, m);
    modeBox.appendChild(button);
    return button;
  });
  function slider(text, control, lo, hi) {
    var readout = el("span", {}, "");
    labelled(text, el("input", {type: "range", min: lo, max: hi, step: 1, "data-control": control}), readout);
    var input = controls.querySelector("[data-control=" + control + "]");
    input.readout = readout;
    return input;
  }
  var inputSize = slider("input size", "input_size", 2, 6);
  var kernelSize = slider("kernel size", "kernel_size", 1, 3);
  var stride = slider("stride", "stride", 1, 3);
  var padding = labelled("padding", el("select", {"data-control": "padding"}));
  data.paddingOptions.forEach(function (p) { padding.appendChild(el("option", {value: String(p)}, String(p))); });
  var cellBox = el("div", {style: "display:flex;gap:18px;font:13px sans-serif"});
  var rowSlider = el("input", {type: "range", min: 1, max: 1, step: 1, "data-control": "row"});
  var colSlider = el("input", {type: "range", min: 1, max: 1, step: 1, "data-control": "col"});
  [["row", rowSlider], ["column", colSlider]].forEach(function (pair) {
    var label = el("label", {}, pair[0] + " ");
    label.appendChild(pair[1]);
    pair[1].readout = el("span", {}, "");
    label.appendChild(pair[1].readout);
    cellBox.appendChild(label);
  });
  var grids = el("div", {"class": "cnnbook-gr"});
  var explain = el("div", {"class": "gr-explain"});
  var totalsBox = el("div", {"class": "cnnbook-gr"});
  var textBox = el("div", {style: "font:13px sans-serif;margin-top:6px"});
  var gradientText = el("input", {type: "text", size: 50, "data-control": "gradient", "aria-label": "dL/dO values"});
  textBox.appendChild(el("span", {}, "dL/dO values "));
  textBox.appendChild(gradientText);
  textBox.appendChild(el("small", {}, " rows separated by ; e.g. 1 0; 0 2 (applied when you press Enter or leave the box)"));
  var message = el("div", {"class": "cnnbook-error", style: "color:#b00020;font:13px sans-serif"}, "");
  [modeBox, controls, cellBox, grids, explain, totalsBox, textBox, message].forEach(function (n) { root.appendChild(n); });

  function cell(text, css, note) {
    return '<td class="' + (css || "") + '">' + text + (note ? '<br><span class="note">' + note + "</span>" : "") + "</td>";
  }
  function table(cls, caption, rows) {
    return '<table class="' + cls + '"><caption>' + caption + "</caption>" +
      rows.map(function (r) { return "<tr>" + r.join("") + "</tr>"; }).join("") + "</table>";
  }
  function gname(r, c) { return "G" + sub(String(r + 1) + String(c + 1)); }
  function grid(n, m, fn) {
    var rows = [];
    for (var i = 0; i < n; i++) { var line = []; for (var j = 0; j < m; j++) { line.push(fn(i, j)); } rows.push(line); }
    return rows;
  }
  function renderGrids(inputMarks, filterMarks, gradientMarks) {
    var mark = function (marks, i, j) { return marks[i + "," + j] || ["", ""]; };
    grids.innerHTML = '<div style="display:flex;align-items:flex-start">' +
      table("gr-input", "input X, padded to " + geo.size + "&times;" + geo.size + " (grey: padding zeros)",
        grid(geo.size, geo.size, function (p, q) {
          var src = geo.source[p][q], m = mark(inputMarks, p, q);
          return src ? cell(name("X", src[0], src[1]) + "<br>" + x(src[0], src[1]), m[0], m[1]) : cell("0", ("pad " + m[0]).trim(), m[1]);
        })) +
      table("gr-filter", "filter F " + state.k + "&times;" + state.k, grid(state.k, state.k, function (a, b) {
        var m = mark(filterMarks, a, b);
        return cell(name("F", a, b) + "<br>" + f(a, b), m[0], m[1]);
      })) +
      table("gr-gradient", "G = dL/dO " + geo.out + "&times;" + geo.out, grid(geo.out, geo.out, function (r, c) {
        var m = mark(gradientMarks, r, c);
        return cell(gname(r, c) + "<br>" + fmt(state.gradient[r][c]), m[0], m[1]);
      })) + "</div>";
  }
  function renderTotals(inputCells, filterCells) {
    var t = totals();
    totalsBox.innerHTML = '<div style="font:12px sans-serif;margin-top:6px">Totals over all output cells ' +
      "(cnnbook.grad.conv2d_backward); the cells above touch the shaded entries:</div>" +
      "<div style='display:flex;align-items:flex-start'>" +
      table("gr-dx", "dL/dX (full correlation of G with the rotated F)", grid(state.n, state.n, function (i, j) {
        return cell(fmt(t.dx[i][j]), inputCells[i + "," + j] ? "warm" : "");
      })) +
      table("gr-df", "dL/dF (correlation of X with G)", grid(state.k, state.k, function (a, b) {
        return cell(fmt(t.df[a][b]), filterCells[a + "," + b] ? "warm" : "");
      })) + "</div>";
  }
  function renderOutputMode(row, col) {
    var g = state.gradient[row][col], gn = gname(row, col), inputMarks = {}, filterMarks = {}, toInputs = [], toFilter = [];
    var touched = {}, weights = {};
    geo.taps[row + "," + col].forEach(function (t) {
      var src = geo.source[t[2]][t[3]], fn = name("F", t[0], t[1]);
      weights[t[0] + "," + t[1]] = true;
      if (!src) {
        inputMarks[t[2] + "," + t[3]] = ["warm", "&times;" + fn];
        filterMarks[t[0] + "," + t[1]] = ["warm", "&times;0"];
        toFilter.push("dL/d" + fn + " += " + gn + "&middot;0 = 0 (padding)");
        return;
      }
      var xn = name("X", src[0], src[1]);
      touched[src[0] + "," + src[1]] = true;
      inputMarks[t[2] + "," + t[3]] = ["hot", "&times;" + fn];
      filterMarks[t[0] + "," + t[1]] = ["hot", "&times;" + xn];
      toInputs.push("dL/d" + xn + " += " + gn + "&middot;" + fn + " = " + fmt(g) + "&middot;" + f(t[0], t[1]) + " = " + fmt(g * f(t[0], t[1])));
      toFilter.push("dL/d" + fn + " += " + gn + "&middot;" + xn + " = " + fmt(g) + "&middot;" + x(src[0], src[1]) + " = " + fmt(g * x(src[0], src[1])));
    });
    var marks = {}; marks[row + "," + col] = ["hot", "chosen"];
    renderGrids(inputMarks, filterMarks, marks);
    var kk = state.k * state.k, on = name("O", row, col);
    var note = toInputs.length < kk ? " " + (kk - toInputs.length) + " of the window's " + kk +
      " cells are padding zeros: their share of the gradient is dropped." : "";
    explain.innerHTML = "<div style='font:13px sans-serif'><b>" + on + "</b> read a " + state.k + "&times;" + state.k +
      " window of the padded input, so its gradient " + gn + " = dL/d" + on + " = " + fmt(g) + " goes to <b>" +
      toInputs.length + " input pixel(s)</b> (one filter weight each) and to <b>all " + kk +
      " filter weights</b> (one input pixel each)." + note +
      "<div style='display:flex;gap:28px;font:12px monospace'><div>" + (toInputs.join("<br>") || "(none)") +
      "</div><div>" + toFilter.join("<br>") + "</div></div></div>";
    renderTotals(touched, weights);
  }
  function renderInputMode(row, col) {
    var xn = name("X", row, col), arrivals = geo.arrivals[row + "," + col], gMarks = {}, fMarks = {}, weights = {};
    arrivals.forEach(function (t) {
      gMarks[t[0] + "," + t[1]] = ["hot", "&times;" + name("F", t[2], t[3])];
      fMarks[t[2] + "," + t[3]] = ["hot", "&times;" + gname(t[0], t[1])];
      weights[t[2] + "," + t[3]] = true;
    });
    var marks = {}; marks[(row + geo.pads[0]) + "," + (col + geo.pads[0])] = ["hot", "chosen"];
    renderGrids(marks, fMarks, gMarks);
    var terms = arrivals.map(function (t) { return gname(t[0], t[1]) + "&middot;" + name("F", t[2], t[3]); }).join(" + ");
    var numbers = arrivals.map(function (t) { return fmt(state.gradient[t[0]][t[1]]) + "&middot;" + f(t[2], t[3]); }).join(" + ");
    var total = 0;
    arrivals.forEach(function (t) { total += state.gradient[t[0]][t[1]] * f(t[2], t[3]); });
    var text, note;
    if (arrivals.length) {
      text = "dL/d" + xn + " = " + terms + "<br>= " + numbers + ' = <b class="gr-sum">' + fmt(total) + "</b>";
      note = "Read the filter names in the G grid: they run backwards (bottom-right weight at the top-left output), " +
        "which is why dL/dX is a correlation with the filter rotated by 180&deg;.";
    } else {
      text = "dL/d" + xn + ' = <b class="gr-sum">0</b>';
      note = "No window of this stride ever reads this pixel, so its gradient is zero.";
    }
    explain.innerHTML = "<div style='font:13px sans-serif'><b>" + xn + "</b> was read by <b>" + arrivals.length +
      " output cell(s)</b>; each sends back its gradient times the weight it used on " + xn + ". " + note +
      "<div style='font:12px monospace'>" + text + "</div></div>";
    var touched = {}; touched[row + "," + col] = true;
    renderTotals(touched, weights);
  }
  function render() {
    var top = state.mode === OUTPUT ? geo.out : state.n;
    state.row = Math.min(state.row, top - 1);
    state.col = Math.min(state.col, top - 1);
    modeButtons.forEach(function (b) { b.style.fontWeight = b.getAttribute("data-mode") === state.mode ? "bold" : "normal"; b.setAttribute("aria-pressed", b.getAttribute("data-mode") === state.mode); });
    [[inputSize, state.n], [kernelSize, state.k], [stride, state.stride]].forEach(function (p) { p[0].value = p[1]; p[0].readout.textContent = p[1]; });
    padding.value = String(state.padding);
    [[rowSlider, state.row], [colSlider, state.col]].forEach(function (p) {
      p[0].max = top; p[0].value = p[1] + 1; p[0].readout.textContent = p[1] + 1;
    });
    gradientText.value = state.gradient.map(function (r) { return r.map(fmt).join(" "); }).join("; ");
    if (state.mode === OUTPUT) { renderOutputMode(state.row, state.col); } else { renderInputMode(state.row, state.col); }
  }
  function structure(change) {
    var next = JSON.parse(JSON.stringify(state));
    change(next);
    try {
      var g = geometry(next);
      if (next.gradient.length !== g.out) { next.gradient = defaultGradient(g.out); }
      state = next; geo = g; message.textContent = "";
    } catch (error) {
      message.textContent = "Not applied: " + error.message;
    }
    render();
  }
  modeButtons.forEach(function (b) {
    b.addEventListener("click", function () { structure(function (s) { s.mode = b.getAttribute("data-mode"); }); });
  });
  inputSize.addEventListener("input", function () { structure(function (s) { s.n = Number(inputSize.value); }); });
  kernelSize.addEventListener("input", function () { structure(function (s) { s.k = Number(kernelSize.value); }); });
  stride.addEventListener("input", function () { structure(function (s) { s.stride = Number(stride.value); }); });
  padding.addEventListener("change", function () {
    structure(function (s) { s.padding = /^\d+$/.test(padding.value) ? Number(padding.value) : padding.value; });
  });
  rowSlider.addEventListener("input", function () { structure(function (s) { s.row = Number(rowSlider.value) - 1; }); });
  colSlider.addEventListener("input", function () { structure(function (s) { s.col = Number(colSlider.value) - 1; }); });
  gradientText.addEventListener("change", function () {
    try {
      var values = parseGrid(gradientText.value, geo.out, geo.out);
      state.gradient = values;
      message.textContent = "";
      render();
    } catch (error) {
      message.textContent = "Not applied: " + error.message + ". Still using the last valid dL/dO.";
    }
  });
  geo = geometry(state);
  render();
}

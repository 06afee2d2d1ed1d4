/* The gradient-reach widget of chapter 5: cnnbook.widgets.GradientReach's one front end.
 *
 * An anywidget ES module: live in Jupyter and Colab, and in the HTML book on
 * a local model (see _anywidget.py). Controls: mode, input size, kernel
 * size, stride, padding, chosen row and column, typed dL/dO. The bookkeeping
 * and the totals are cnnbook.grad.conv2d_backward's, in tables with the
 * classes gr-input, gr-filter, gr-gradient, gr-dx, gr-df. Model: config
 * (modes, padding options, maxValue, title) and the state mode, input_size,
 * kernel_size, stride, padding, row, col (0-based), gradient (rows of dL/dO).
 * A change is checked here first (the messages are Python's), then set on
 * the model; the kernel checks it again.
 */
const SUB = "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089";
const STYLE =
  ".cnnbook-gr table{border-collapse:collapse;font:12px/1.25 monospace;margin:2px 14px 2px 0}" +
  ".cnnbook-gr td{min-width:3.6em;height:2.4em;padding:0 3px;text-align:center;border:1px solid #ccc}" +
  ".cnnbook-gr td.pad{color:#999;background:#f4f4f4;font-style:italic}" +
  ".cnnbook-gr td.hot{background:#ffb366;font-weight:bold}" +
  ".cnnbook-gr td.warm{background:#ffe0c2}" +
  ".cnnbook-gr caption{font:12px sans-serif;text-align:left;white-space:nowrap}" +
  ".cnnbook-gr .note{font-size:10px;color:#7a3b00}";

const sub = (text) => String(text).replace(/[0-9]/g, (d) => SUB[Number(d)]);
const name = (letter, r, c) => letter + sub(String(r + 1) + String(c + 1));
const gname = (r, c) => "G" + sub(String(r + 1) + String(c + 1));
function fmt(value) {
  if (value === Math.round(value) && Math.abs(value) < 1e9) { return String(value); }
  return Number(value.toPrecision(3)).toString();
}
function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) { node.setAttribute(key, value); }
  if (text !== undefined) { node.textContent = text; }
  return node;
}
function cell(text, css, note) {
  return `<td class="${css || ""}">${text}${note ? `<br><span class="note">${note}</span>` : ""}</td>`;
}
function table(cls, caption, rows) {
  return `<table class="${cls}"><caption>${caption}</caption>` + rows.map((r) => "<tr>" + r.join("") + "</tr>").join("") + "</table>";
}
const grid = (n, m, fn) => Array.from({ length: n }, (_, i) => Array.from({ length: m }, (_, j) => fn(i, j)));

function pads(n, k, stride, padding) {
  if (padding === "valid") { return [0, 0]; }
  if (padding === "full") { return [k - 1, k - 1]; }
  if (padding === "same") {
    const total = Math.max((Math.ceil(n / stride) - 1) * stride + k - n, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  }
  return [padding, padding];
}
function geometry(s) {   // throws when the filter does not fit
  const p = pads(s.input_size, s.kernel_size, s.stride, s.padding), size = s.input_size + p[0] + p[1], k = s.kernel_size;
  if (k > size) {
    throw new Error(`the ${k}x${k} filter is larger than the padded input (${size}x${size})`);
  }
  const out = Math.floor((size - k) / s.stride) + 1, g = { pads: p, size, out, taps: {}, arrivals: {} };
  g.source = grid(size, size, (a, b) => {
    const i = a - p[0], j = b - p[0];
    return i >= 0 && i < s.input_size && j >= 0 && j < s.input_size ? [i, j] : null;
  });
  for (let i = 0; i < s.input_size; i++) { for (let j = 0; j < s.input_size; j++) { g.arrivals[i + "," + j] = []; } }
  for (let r = 0; r < out; r++) {
    for (let c = 0; c < out; c++) {
      const taps = [];
      for (let a = 0; a < k; a++) {
        for (let b = 0; b < k; b++) {
          const pp = r * s.stride + a, qq = c * s.stride + b, src = g.source[pp][qq];
          taps.push([a, b, pp, qq]);
          if (src) { g.arrivals[src[0] + "," + src[1]].push([r, c, a, b]); }
        }
      }
      g.taps[r + "," + c] = taps;
    }
  }
  return g;
}
function parseGrid(text, rows, cols, maxValue) {
  const lines = text.replace(/\[/g, " ").replace(/\]/g, "\n").replace(/;/g, "\n").split(/\r?\n/)
    .map((l) => l.replace(/,/g, " ").trim()).filter((l) => l.length);
  if (!lines.length) { throw new Error("dL/dO is empty: type rows of numbers, one row per line, e.g. 1 2 1"); }
  const values = lines.map((line, r) => line.split(/\s+/).map((token) => {
    let v;
    if (token.includes("/")) {
      const cut = token.indexOf("/"), a = token.slice(0, cut), b = token.slice(cut + 1);
      v = a === "" || b === "" || Number(b) === 0 ? NaN : Number(a) / Number(b);
    } else { v = Number(token); }
    if (Number.isNaN(v)) { throw new Error(`'${token}' in row ${r + 1} is not a number; use values such as 2, -1.5 or 1/9`); }
    if (!Number.isFinite(v)) { throw new Error(`'${token}' in row ${r + 1} is not a finite number`); }
    if (Math.abs(v) > maxValue) {
      throw new Error(`'${token}' in row ${r + 1} is too large: values must lie between -${maxValue} and ${maxValue}`);
    }
    return v;
  }));
  values.forEach((row, r) => {
    if (row.length !== values[0].length) {
      throw new Error(`every row needs the same number of values: row 1 has ${values[0].length}, row ${r + 1} has ${row.length}`);
    }
  });
  if (values.length !== rows || values[0].length !== cols) {
    throw new Error(`dL/dO must be ${rows} rows of ${cols} values (the output is ${rows}x${cols}); ` +
                    `got ${values.length} row(s) of ${values[0].length} value(s)`);
  }
  return values;
}
const defaultGradient = (out) => grid(out, out, (r, c) => r * out + c + 1);

function render({ model, el: host }) {
  const { body, setError } = cnnbookFrame({ model, el: host });
  const config = model.get("config"), OUTPUT = config.modes[0];
  const NAMES = ["mode", "input_size", "kernel_size", "stride", "padding", "row", "col", "gradient"];
  const state = () => Object.fromEntries(NAMES.map((n) => [n, model.get(n)]));

  // ---- the controls ----
  const modeBox = el("div", { style: "display:flex;gap:4px;margin:4px 0" });
  const modeButtons = config.modes.map((m) => {
    const button = el("button", { type: "button", "data-control": "mode", "data-mode": m, style: "width:260px" }, m);
    modeBox.append(button);
    return button;
  });
  const controls = el("div", { style: "display:flex;flex-wrap:wrap;gap:6px 18px;font:13px sans-serif;margin:4px 0" });
  const cellBox = el("div", { style: "display:flex;gap:18px;font:13px sans-serif" });
  function slider(parent, text, control, lo, hi) {
    const label = el("label", { style: "white-space:nowrap" }, text + " ");
    const input = el("input", { type: "range", min: lo, max: hi, step: 1, "data-control": control });
    input.readout = el("span", {}, "");
    label.append(input, input.readout);
    parent.append(label);
    return input;
  }
  const inputSize = slider(controls, "input size", "input_size", 2, 6);
  const kernelSize = slider(controls, "kernel size", "kernel_size", 1, 3);
  const stride = slider(controls, "stride", "stride", 1, 3);
  const paddingLabel = el("label", { style: "white-space:nowrap" }, "padding ");
  const padding = el("select", { "data-control": "padding" });
  for (const p of config.paddingOptions) { padding.append(el("option", { value: String(p) }, String(p))); }
  paddingLabel.append(padding);
  controls.append(paddingLabel);
  const rowSlider = slider(cellBox, "row", "row", 1, 1);
  const colSlider = slider(cellBox, "column", "col", 1, 1);
  const grids = el("div", { class: "cnnbook-gr" });
  const explain = el("div", { class: "gr-explain" });
  const totalsBox = el("div", { class: "cnnbook-gr" });
  const textBox = el("div", { style: "font:13px sans-serif;margin-top:6px" });
  const gradientText = el("input", { type: "text", size: 50, "data-control": "gradient", "aria-label": "dL/dO values" });
  textBox.append(el("span", {}, "dL/dO values "), gradientText,
    el("small", {}, " rows separated by ; e.g. 1 0; 0 2 (applied when you press Enter or leave the box)"));
  if (config.title) {
    const title = el("p");
    title.append(el("b", {}, config.title));
    body.append(title);
  }
  body.append(el("style", {}, STYLE), modeBox, controls, cellBox, grids, explain, totalsBox, textBox);

  // ---- drawing ----
  function drawGrids(s, geo, inputMarks, filterMarks, gradientMarks) {
    const mark = (marks, i, j) => marks[i + "," + j] || ["", ""];
    const k = s.kernel_size, x = (i, j) => i * s.input_size + j + 1, f = (a, b) => a * k + b + 1;
    grids.innerHTML = '<div style="display:flex;align-items:flex-start">' +
      table("gr-input", `input X, padded to ${geo.size}&times;${geo.size} (grey: padding zeros)`, grid(geo.size, geo.size, (p, q) => {
        const src = geo.source[p][q], m = mark(inputMarks, p, q);
        return src ? cell(name("X", src[0], src[1]) + "<br>" + x(src[0], src[1]), m[0], m[1]) : cell("0", ("pad " + m[0]).trim(), m[1]);
      })) +
      table("gr-filter", `filter F ${k}&times;${k}`, grid(k, k, (a, b) => {
        const m = mark(filterMarks, a, b);
        return cell(name("F", a, b) + "<br>" + f(a, b), m[0], m[1]);
      })) +
      table("gr-gradient", `G = dL/dO ${geo.out}&times;${geo.out}`, grid(geo.out, geo.out, (r, c) => {
        const m = mark(gradientMarks, r, c);
        return cell(gname(r, c) + "<br>" + fmt(s.gradient[r][c]), m[0], m[1]);
      })) + "</div>";
  }
  function drawTotals(s, geo, inputCells, filterCells) {   // dL/dX and dL/dF over all output cells, as conv2d_backward
    const n = s.input_size, k = s.kernel_size, x = (i, j) => i * n + j + 1, f = (a, b) => a * k + b + 1;
    const dx = grid(n, n, () => 0), df = grid(k, k, () => 0);
    for (const [key, taps] of Object.entries(geo.taps)) {
      const [r, c] = key.split(",").map(Number), g = s.gradient[r][c];
      for (const t of taps) {
        const src = geo.source[t[2]][t[3]];
        if (src) {
          dx[src[0]][src[1]] += g * f(t[0], t[1]);
          df[t[0]][t[1]] += g * x(src[0], src[1]);
        }
      }
    }
    totalsBox.innerHTML = '<div style="font:12px sans-serif;margin-top:6px">Totals over all output cells ' +
      "(cnnbook.grad.conv2d_backward); the cells above touch the shaded entries:</div>" +
      "<div style='display:flex;align-items:flex-start'>" +
      table("gr-dx", "dL/dX (full correlation of G with the rotated F)", grid(n, n, (i, j) => cell(fmt(dx[i][j]), inputCells[i + "," + j] ? "warm" : ""))) +
      table("gr-df", "dL/dF (correlation of X with G)", grid(k, k, (a, b) => cell(fmt(df[a][b]), filterCells[a + "," + b] ? "warm" : ""))) +
      "</div>";
  }
  function drawOutputMode(s, geo) {
    const row = s.row, col = s.col, k = s.kernel_size;
    const x = (i, j) => i * s.input_size + j + 1, f = (a, b) => a * k + b + 1;
    const g = s.gradient[row][col], gn = gname(row, col), inputMarks = {}, filterMarks = {}, toInputs = [], toFilter = [];
    const touched = {}, weights = {};
    for (const t of geo.taps[row + "," + col]) {
      const src = geo.source[t[2]][t[3]], fn = name("F", t[0], t[1]);
      weights[t[0] + "," + t[1]] = true;
      if (!src) {
        inputMarks[t[2] + "," + t[3]] = ["warm", "&times;" + fn];
        filterMarks[t[0] + "," + t[1]] = ["warm", "&times;0"];
        toFilter.push(`dL/d${fn} += ${gn}&middot;0 = 0 (padding)`);
        continue;
      }
      const xn = name("X", src[0], src[1]);
      touched[src[0] + "," + src[1]] = true;
      inputMarks[t[2] + "," + t[3]] = ["hot", "&times;" + fn];
      filterMarks[t[0] + "," + t[1]] = ["hot", "&times;" + xn];
      toInputs.push(`dL/d${xn} += ${gn}&middot;${fn} = ${fmt(g)}&middot;${f(t[0], t[1])} = ${fmt(g * f(t[0], t[1]))}`);
      toFilter.push(`dL/d${fn} += ${gn}&middot;${xn} = ${fmt(g)}&middot;${x(src[0], src[1])} = ${fmt(g * x(src[0], src[1]))}`);
    }
    drawGrids(s, geo, inputMarks, filterMarks, { [row + "," + col]: ["hot", "chosen"] });
    const kk = k * k, on = name("O", row, col);
    const note = toInputs.length < kk ? ` ${kk - toInputs.length} of the window's ${kk} cells are padding zeros: ` +
      "their share of the gradient is dropped." : "";
    explain.innerHTML = `<div style='font:13px sans-serif'><b>${on}</b> read a ${k}&times;${k} window of the padded input, ` +
      `so its gradient ${gn} = dL/d${on} = ${fmt(g)} goes to <b>${toInputs.length} input pixel(s)</b> (one filter weight ` +
      `each) and to <b>all ${kk} filter weights</b> (one input pixel each).${note}` +
      `<div style='display:flex;gap:28px;font:12px monospace'><div>${toInputs.join("<br>") || "(none)"}` +
      `</div><div>${toFilter.join("<br>")}</div></div></div>`;
    drawTotals(s, geo, touched, weights);
  }
  function drawInputMode(s, geo) {
    const row = s.row, col = s.col, f = (a, b) => a * s.kernel_size + b + 1;
    const xn = name("X", row, col), arrivals = geo.arrivals[row + "," + col], gMarks = {}, fMarks = {}, weights = {};
    for (const t of arrivals) {
      gMarks[t[0] + "," + t[1]] = ["hot", "&times;" + name("F", t[2], t[3])];
      fMarks[t[2] + "," + t[3]] = ["hot", "&times;" + gname(t[0], t[1])];
      weights[t[2] + "," + t[3]] = true;
    }
    drawGrids(s, geo, { [(row + geo.pads[0]) + "," + (col + geo.pads[0])]: ["hot", "chosen"] }, fMarks, gMarks);
    const terms = arrivals.map((t) => gname(t[0], t[1]) + "&middot;" + name("F", t[2], t[3])).join(" + ");
    const numbers = arrivals.map((t) => fmt(s.gradient[t[0]][t[1]]) + "&middot;" + f(t[2], t[3])).join(" + ");
    const total = arrivals.reduce((sum, t) => sum + s.gradient[t[0]][t[1]] * f(t[2], t[3]), 0);
    let text, note;
    if (arrivals.length) {
      text = `dL/d${xn} = ${terms}<br>= ${numbers} = <b class="gr-sum">${fmt(total)}</b>`;
      note = "Read the filter names in the G grid: they run backwards (bottom-right weight at the top-left output), " +
        "which is why dL/dX is a correlation with the filter rotated by 180&deg;.";
    } else {
      text = `dL/d${xn} = <b class="gr-sum">0</b>`;
      note = "No window of this stride ever reads this pixel, so its gradient is zero.";
    }
    explain.innerHTML = `<div style='font:13px sans-serif'><b>${xn}</b> was read by <b>${arrivals.length} output cell(s)</b>; ` +
      `each sends back its gradient times the weight it used on ${xn}. ${note}` +
      `<div style='font:12px monospace'>${text}</div></div>`;
    drawTotals(s, geo, { [row + "," + col]: true }, weights);
  }
  function draw() {
    const s = state(), geo = geometry(s), top = s.mode === OUTPUT ? geo.out : s.input_size;
    for (const b of modeButtons) {
      const on = b.getAttribute("data-mode") === s.mode;
      b.style.fontWeight = on ? "bold" : "normal";
      b.setAttribute("aria-pressed", String(on));
    }
    for (const [input, value] of [[inputSize, s.input_size], [kernelSize, s.kernel_size], [stride, s.stride]]) {
      input.value = value; input.readout.textContent = value;
    }
    padding.value = String(s.padding);
    for (const [input, value] of [[rowSlider, s.row], [colSlider, s.col]]) {
      input.max = top; input.value = value + 1; input.readout.textContent = value + 1;
    }
    gradientText.value = s.gradient.map((r) => r.map(fmt).join(" ")).join("; ");
    if (s.mode === OUTPUT) { drawOutputMode(s, geo); } else { drawInputMode(s, geo); }
  }

  // ---- changes: checked here, then set on the model ----
  function attempt(change, note) {
    const before = state(), next = { ...before, ...change };
    let geo;
    try {
      geo = geometry(next);
    } catch (error) {
      setError(`${error.message}. ${note || "The last valid setting is still shown"}.`);
      draw();
      return;
    }
    if (next.gradient.length !== geo.out) { next.gradient = defaultGradient(geo.out); }
    const top = next.mode === OUTPUT ? geo.out : next.input_size;
    next.row = Math.min(next.row, top - 1);
    next.col = Math.min(next.col, top - 1);
    for (const n of NAMES) {
      if (JSON.stringify(next[n]) !== JSON.stringify(before[n])) { model.set(n, next[n]); }
    }
    model.save_changes();
    setError("");
  }
  for (const b of modeButtons) { b.addEventListener("click", () => attempt({ mode: b.getAttribute("data-mode") })); }
  inputSize.addEventListener("input", () => attempt({ input_size: Number(inputSize.value) }));
  kernelSize.addEventListener("input", () => attempt({ kernel_size: Number(kernelSize.value) }));
  stride.addEventListener("input", () => attempt({ stride: Number(stride.value) }));
  padding.addEventListener("change", () => attempt({ padding: /^\d+$/.test(padding.value) ? Number(padding.value) : padding.value }));
  rowSlider.addEventListener("input", () => attempt({ row: Number(rowSlider.value) - 1 }));
  colSlider.addEventListener("input", () => attempt({ col: Number(colSlider.value) - 1 }));
  gradientText.addEventListener("change", () => {
    const out = model.get("gradient").length;
    let values;
    try {
      values = parseGrid(gradientText.value, out, out, config.maxValue);
    } catch (error) {
      setError(error.message + ". Still using the last valid dL/dO.");
      return;
    }
    attempt({ gradient: values }, "Still using the last valid dL/dO");
    gradientText.value = model.get("gradient").map((r) => r.map(fmt).join(" ")).join("; ");
  });

  return cnnbookRedraws(model, NAMES, draw);
}
export default { render };

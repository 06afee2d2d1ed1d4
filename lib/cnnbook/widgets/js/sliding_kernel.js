/* The sliding-kernel widget of chapter 1: cnnbook.widgets.SlidingKernel's one front end.
 *
 * An anywidget ES module: live in Jupyter and Colab, and in the HTML book on
 * a local model (see _anywidget.py). Controls: output cell (with Play),
 * stride, padding, dilation, presets, typed kernel, the convolution toggle.
 * The arithmetic is cnnbook.conv.conv2d's and cnnbook.conv.pad_amounts', the
 * tables have the classes sk-input, sk-kernel, sk-products, sk-output and
 * sk-sum. Model: config (image [channel][row][col], presets, decimals, title,
 * limits, padding options) and the state kernel [channel][row][col],
 * kernel_text, stride, padding, dilation, flip, position. A change is checked
 * here first (the messages are Python's), then set on the model; the kernel
 * checks it again.
 */
const CUSTOM = "custom (typed)";
const HIGHLIGHT = "#ff7f0e";
const STYLE =
  ".cnnbook-sk table{border-collapse:collapse;font:12px/1.2 monospace;margin:2px 0}" +
  ".cnnbook-sk td{min-width:2.3em;height:1.9em;padding:0 3px;text-align:center;border:1px solid #d0d0d0}" +
  ".cnnbook-sk td.pad{font-style:italic;background-image:repeating-linear-gradient(" +
  "45deg,rgba(255,255,255,.45) 0 2px,transparent 2px 6px)}" +
  `.cnnbook-sk td.hot{box-shadow:inset 0 0 0 3px ${HIGHLIGHT}}` +
  `.cnnbook-sk td.span{box-shadow:inset 0 0 0 1px ${HIGHLIGHT}}` +
  ".cnnbook-sk td.blank{background:#fafafa}" +
  ".cnnbook-sk caption{font:12px sans-serif;text-align:left;padding-bottom:2px;white-space:nowrap}";

function fmt(value, decimals) {
  const rounded = Math.round(value);
  if (Math.abs(value - rounded) <= 1e-9 * Math.max(1, Math.abs(value))) { return String(rounded); }
  const text = value.toFixed(decimals);
  return Number(text) === 0 ? "0" : text;
}
function weight(value) {
  const text = fmt(value, 3);
  return value < 0 && text !== "0" ? "(" + text + ")" : text;
}
function peak(values) {
  let top = 0;
  for (const v of values) { top = Math.max(top, Math.abs(v)); }
  return top > 0 ? top : 1;
}
function grey(value, scale) {
  const level = Math.round(128 + 127 * Math.max(-1, Math.min(1, value / scale)));
  return `background:rgb(${level},${level},${level});color:${level >= 110 ? "#000" : "#fff"}`;
}
function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) { node.setAttribute(key, value); }
  if (text !== undefined) { node.textContent = text; }
  return node;
}
function table(cls, caption, rows) {
  return `<table class="${cls}"><caption>${caption}</caption>` +
    rows.map((r) => "<tr>" + r.join("") + "</tr>").join("") + "</table>";
}

// ---- parsing the kernel box (as cnnbook.widgets.sliding_kernel.parse_kernel) ----
function parseNumber(token, row, maxValue) {
  let value;
  if (token.includes("/")) {
    const cut = token.indexOf("/"), a = token.slice(0, cut), b = token.slice(cut + 1);
    value = a.trim() === "" || b.trim() === "" || Number(b) === 0 ? NaN : Number(a) / Number(b);
  } else {
    value = token.trim() === "" ? NaN : Number(token);
  }
  if (Number.isNaN(value)) {
    throw new Error(`'${token}' in row ${row} is not a number; use values such as 2, -1.5 or 1/9`);
  }
  if (!Number.isFinite(value)) { throw new Error(`'${token}' in row ${row} is not a finite number`); }
  if (Math.abs(value) > maxValue) {
    throw new Error(`'${token}' in row ${row} is too large: values must lie between -${maxValue} and ${maxValue}`);
  }
  return value;
}
function parseBlock(text, config) {
  const rows = text.replace(/\[/g, " ").replace(/\]/g, "\n").replace(/;/g, "\n").split(/\r?\n/)
    .map((line) => line.replace(/,/g, " ").trim()).filter((line) => line.length > 0).map((line) => line.split(/\s+/));
  if (!rows.length) { throw new Error("the kernel is empty: type rows of numbers, one row per line, e.g. 1 2 1"); }
  const values = rows.map((row, i) => row.map((t) => parseNumber(t, i + 1, config.maxValue)));
  for (let i = 1; i < values.length; i++) {
    if (values[i].length !== values[0].length) {
      throw new Error(`every row needs the same number of values: row 1 ('${rows[0].join(" ")}') has ` +
                      `${values[0].length}, row ${i + 1} ('${rows[i].join(" ")}') has ${values[i].length}`);
    }
  }
  if (values.length > config.maxKernel || values[0].length > config.maxKernel) {
    throw new Error(`the kernel may have at most ${config.maxKernel} rows and ${config.maxKernel} columns; ` +
                    `got ${values.length} rows and ${values[0].length} columns`);
  }
  return values;
}
function parseKernel(text, config) {   // -> [channel][row][col]
  const channels = config.image.length;
  if (channels === 1) { return [parseBlock(text, config)]; }
  const blocks = text.split(/^\s*\|\s*$/m).filter((b) => b.trim().length > 0).map((b) => parseBlock(b, config));
  if (!blocks.length) { throw new Error("the kernel is empty: type rows of numbers, one row per line, e.g. 1 2 1"); }
  if (blocks.length !== 1 && blocks.length !== channels) {
    throw new Error(`the image has ${channels} channels: type one kernel slice for all of them or ${channels} ` +
                    `slices separated by lines holding only |; got ${blocks.length} slices`);
  }
  if (blocks.some((b) => b.length !== blocks[0].length || b[0].length !== blocks[0][0].length)) {
    throw new Error("every channel's slice needs the same rows and columns; got " +
                    blocks.map((b) => b.length + "x" + b[0].length).join(", "));
  }
  return Array.from({ length: channels }, (_, c) => (blocks.length === 1 ? blocks[0] : blocks[c]));
}

// ---- geometry (as cnnbook.conv.pad_amounts and conv2d) ----
function pads(n, k, s) {
  const reach = s.dilation * (k - 1) + 1;
  if (s.padding === "valid") { return [0, 0]; }
  if (s.padding === "full") { return [reach - 1, reach - 1]; }
  if (s.padding === "same") {
    const total = Math.max((Math.ceil(n / s.stride) - 1) * s.stride + reach - n, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  }
  return [s.padding, s.padding];
}
function compute(image, s) {   // throws when the kernel does not fit
  const height = image[0].length, width = image[0][0].length;
  const kh = s.kernel[0].length, kw = s.kernel[0][0].length;
  const rp = pads(height, kh, s), cp = pads(width, kw, s);
  const ph = height + rp[0] + rp[1], pw = width + cp[0] + cp[1];
  const reachH = s.dilation * (kh - 1) + 1, reachW = s.dilation * (kw - 1) + 1;
  if (reachH > ph || reachW > pw) {
    throw new Error(`the kernel spans ${reachH}x${reachW} cells (dilation ${s.dilation}), larger than the ` +
                    `padded input ${ph}x${pw}`);
  }
  const padded = image.map((plane) => Array.from({ length: ph }, (_, r) => Array.from({ length: pw }, (_, c) => {
    const i = r - rp[0], j = c - cp[0];
    return i >= 0 && i < height && j >= 0 && j < width ? plane[i][j] : 0;
  })));
  // the kernel as it slides: rotated by 180 degrees in convolution mode
  const applied = s.kernel.map((slice) => {
    const rows = slice.map((row) => (s.flip ? row.slice().reverse() : row.slice()));
    return s.flip ? rows.reverse() : rows;
  });
  const oh = Math.floor((ph - reachH) / s.stride) + 1, ow = Math.floor((pw - reachW) / s.stride) + 1;
  const output = [];
  for (let r = 0; r < oh; r++) {
    const line = [];
    for (let c = 0; c < ow; c++) {
      let total = 0;
      for (let ch = 0; ch < image.length; ch++) {
        for (let a = 0; a < kh; a++) {
          for (let b = 0; b < kw; b++) {
            total += padded[ch][r * s.stride + a * s.dilation][c * s.stride + b * s.dilation] * applied[ch][a][b];
          }
        }
      }
      line.push(total);
    }
    output.push(line);
  }
  return { padded, rp, cp, output, applied, kh, kw, reachH, reachW, height, width };
}
function presetName(kernel, config) {
  const first = JSON.stringify(kernel[0]);
  if (kernel.some((slice) => JSON.stringify(slice) !== first)) { return CUSTOM; }
  return Object.keys(config.presets).find((name) => JSON.stringify(parseBlock(config.presets[name], config)) === first) ||
    CUSTOM;
}

function render({ model, el: host }) {
  const { body, setError } = cnnbookFrame({ model, el: host });
  const config = model.get("config");
  const image = config.image, channels = image.length;
  const state = () => ({
    kernel: model.get("kernel"), stride: model.get("stride"), padding: model.get("padding"),
    dilation: model.get("dilation"), flip: model.get("flip"), position: model.get("position"),
  });

  // ---- the controls ----
  const controls = el("div", { class: "sk-controls", style: "display:flex;flex-wrap:wrap;gap:6px 18px;font:13px sans-serif;margin:4px 0" });
  const labelled = (text, control) => {
    const label = el("label", { style: "white-space:nowrap" }, text + " ");
    label.append(control);
    controls.append(label);
    return control;
  };
  const preset = labelled("kernel", el("select", { "data-control": "preset" }));
  for (const name of Object.keys(config.presets).concat([CUSTOM])) { preset.append(el("option", { value: name }, name)); }
  const padding = labelled("padding", el("select", { "data-control": "padding" }));
  for (const p of config.paddingOptions) { padding.append(el("option", { value: String(p) }, String(p))); }
  const stride = labelled("stride", el("input", { type: "range", min: 1, max: config.maxStride, step: 1, "data-control": "stride" }));
  const strideText = el("span", {}, "");
  controls.append(strideText);
  const dilation = labelled("dilation", el("input", { type: "range", min: 1, max: config.maxDilation, step: 1, "data-control": "dilation" }));
  const dilationText = el("span", {}, "");
  controls.append(dilationText);
  const flip = labelled("convolution (rotate the kernel 180\u00b0)", el("input", { type: "checkbox", "data-control": "flip" }));
  const position = labelled("output cell", el("input", { type: "range", min: 0, max: 0, step: 1, "data-control": "position", style: "width:260px" }));
  const positionText = el("span", { class: "sk-cell" }, "");
  controls.append(positionText);
  const play = el("button", { type: "button", "data-control": "play" }, "Play");
  controls.append(play);
  const info = el("div", { class: "sk-info", style: "font:12px sans-serif;max-width:60em;margin:4px 0" });
  const grids = el("div", { class: "cnnbook-sk", style: "display:flex;gap:24px;flex-wrap:wrap;align-items:flex-start" });
  const inputBox = el("div"), middle = el("div"), kernelBox = el("div"), productsBox = el("div", { class: "sk-products-box" });
  const outputBox = el("div");
  middle.append(kernelBox, productsBox);
  grids.append(inputBox, middle, outputBox);
  const textBox = el("div", { style: "display:flex;gap:12px;align-items:flex-start;margin-top:6px" });
  const kernelText = el("textarea", { rows: 6, cols: 34, "data-control": "kernel", "aria-label": "kernel values" });
  textBox.append(kernelText, el("small", { style: "max-width:260px" }, "One kernel row per line; numbers such as 2, -1.5 or 1/9." +
    (channels > 1 ? " A line holding only | separates the channels' slices." : "") +
    " The kernel updates when you click outside the box."));
  const style = el("style", {}, STYLE);
  if (config.title) {
    const title = el("p");
    title.append(el("b", {}, config.title));
    body.append(title);
  }
  body.append(style, controls, info, grids, textBox);

  // ---- drawing ----
  let result = null, resultKey = null;
  function structure() {   // the arithmetic of the state held (recomputed when the structure changes)
    const s = state(), key = JSON.stringify([s.kernel, s.stride, s.padding, s.dilation, s.flip]);
    if (key !== resultKey) { result = compute(image, s); resultKey = key; }
    return result;
  }
  function drawStructure() {
    const s = state(), r = structure(), oh = r.output.length, ow = r.output[0].length;
    position.max = oh * ow - 1;
    stride.value = s.stride; strideText.textContent = s.stride;
    dilation.value = s.dilation; dilationText.textContent = s.dilation;
    padding.value = String(s.padding);
    flip.checked = s.flip;
    preset.value = presetName(s.kernel, config);
    kernelText.value = model.get("kernel_text");
    const kScale = peak(r.applied.flat(2));
    kernelBox.innerHTML = r.applied.map((slice, ch) => table("sk-kernel", (s.flip ? "kernel rotated 180&deg; " : "kernel ") +
      r.kh + "&times;" + r.kw + (channels > 1 ? ", channel " + ch : ""),
      slice.map((row) => row.map((v) => `<td style="${grey(v, kScale)}">${fmt(v, 3)}</td>`)))).join("");
    const formula = (n, a, b, reach, o) => `&lfloor;(${n} + ${a} + ${b} &minus; ${reach}) / ${s.stride}&rfloor; + 1 = ${o}`;
    const shownPadding = typeof s.padding === "string" ? `'${s.padding}'` : String(s.padding);
    info.innerHTML = (s.flip ? "Convolution: the kernel is rotated by 180&deg; before it slides. "
      : "Correlation (what CNN layers compute): the kernel slides as typed. ") +
      (channels > 1 ? `The products are summed over all ${channels} channels. ` : "") +
      `Input ${r.height}&times;${r.width}; padding ${shownPadding} adds ${r.rp[0]} row(s) on top, ${r.rp[1]} at the bottom, ` +
      `${r.cp[0]} column(s) on the left, ${r.cp[1]} on the right (hatched cells) &rarr; padded ` +
      `${r.padded[0].length}&times;${r.padded[0][0].length}. The ${r.kh}&times;${r.kw} kernel with dilation ${s.dilation} ` +
      `spans ${r.reachH}&times;${r.reachW} cells. Output rows: ${formula(r.height, r.rp[0], r.rp[1], r.reachH, oh)}, ` +
      `columns: ${formula(r.width, r.cp[0], r.cp[1], r.reachW, ow)}.`;
  }
  function drawPosition() {
    const s = state(), r = structure(), ow = r.output[0].length, oh = r.output.length, d = config.decimals;
    const at = Math.min(s.position, oh * ow - 1);
    position.value = at;
    const row = Math.floor(at / ow), col = at % ow;
    positionText.textContent = `(${row}, ${col})`;
    const rows = Array.from({ length: r.kh }, (_, a) => row * s.stride + a * s.dilation);
    const cols = Array.from({ length: r.kw }, (_, b) => col * s.stride + b * s.dilation);
    const inScale = peak(image.flat(2));
    inputBox.innerHTML = r.padded.map((plane, ch) => table("sk-input", `padded input ${plane.length}&times;${plane[0].length}` +
      (channels > 1 ? ", channel " + ch : ""), plane.map((line, i) => line.map((v, j) => {
      const pad = i < r.rp[0] || i >= r.rp[0] + r.height || j < r.cp[0] || j >= r.cp[0] + r.width;
      const cls = (pad ? "pad " : "") + (rows.includes(i) && cols.includes(j) ? "hot"
        : i >= rows[0] && i <= rows[rows.length - 1] && j >= cols[0] && j <= cols[cols.length - 1] ? "span" : "");
      return `<td class="${cls.trim()}" style="${grey(v, inScale)}">${fmt(v, d)}</td>`;
    })))).join("");
    const outScale = peak(r.output.flat());
    outputBox.innerHTML = table("sk-output", `output ${oh}&times;${ow}`, r.output.map((line, i) => line.map((v, j) => {
      const index = i * ow + j;
      if (index > at) { return '<td class="blank"></td>'; }
      return `<td class="${index === at ? "hot" : ""}" style="${grey(v, outScale)}">${fmt(v, d)}</td>`;
    })));
    const terms = [];
    const products = r.applied.map((slice, ch) => table("sk-products", "input &times; weight = product" +
      (channels > 1 ? ", channel " + ch : ""), slice.map((kRow, a) => kRow.map((w, b) => {
      const x = r.padded[ch][rows[a]][cols[b]], p = x * w;
      terms.push(fmt(p, d));
      return `<td class="sk-prod">${fmt(x, d)}&times;${weight(w)}<br><b>${fmt(p, d)}</b></td>`;
    })))).join("");
    const sum = terms.length > 27 ? `the sum of ${terms.length} products` : terms.join(" + ").replace(/\+ -/g, "&minus; ");
    productsBox.innerHTML = products + `<div style="max-width:360px;font:12px monospace">O[${row}, ${col}] = ${sum} = ` +
      `<b class="sk-sum">${fmt(r.output[row][col], d)}</b></div>`;
  }
  function draw() { drawStructure(); drawPosition(); }

  // ---- changes: checked here, then set on the model ----
  function attempt(change, note) {   // change: the new values; a refusal keeps the state held
    const next = { ...state(), ...change };
    let fitted;
    try {
      fitted = compute(image, next);
    } catch (error) {
      setError(`${error.message}. ${note || "The last valid setting is still shown"}.`);
      draw();
      return;
    }
    const last = fitted.output.length * fitted.output[0].length - 1;
    if (next.position > last) { change = { ...change, position: last }; }
    for (const [name, value] of Object.entries(change)) { model.set(name, value); }
    model.save_changes();
    setError("");
  }
  preset.addEventListener("change", () => {
    if (preset.value === CUSTOM) { preset.value = presetName(model.get("kernel"), config); return; }  // custom means typed
    const text = config.presets[preset.value];
    attempt({ kernel: parseKernel(text, config), kernel_text: text });
  });
  padding.addEventListener("change", () => {
    attempt({ padding: /^\d+$/.test(padding.value) ? Number(padding.value) : padding.value });
  });
  stride.addEventListener("input", () => attempt({ stride: Number(stride.value) }));
  dilation.addEventListener("input", () => attempt({ dilation: Number(dilation.value) }));
  flip.addEventListener("change", () => attempt({ flip: flip.checked }));
  position.addEventListener("input", () => attempt({ position: Number(position.value) }));
  kernelText.addEventListener("change", () => {
    let kernel;
    try {
      kernel = parseKernel(kernelText.value, config);
    } catch (error) {
      setError(error.message + ". Still using the last valid kernel.");
      return;
    }
    attempt({ kernel, kernel_text: kernelText.value }, "Still using the last valid kernel");
  });
  let timer = null;
  const stop = () => { clearInterval(timer); timer = null; play.textContent = "Play"; };
  play.addEventListener("click", () => {
    if (timer) { stop(); return; }
    play.textContent = "Pause";
    timer = setInterval(() => {
      if (!host.isConnected) { stop(); return; }
      attempt({ position: (model.get("position") + 1) % (Number(position.max) + 1) });
    }, 600);
  });

  const unwatch = cnnbookRedraws(model, ["kernel", "kernel_text", "stride", "padding", "dilation", "flip", "position"], draw);
  return () => { stop(); unwatch(); };
}
export default { render };

// Draw a digit (chapter 3): the reader draws on a canvas; the drawing is preprocessed the way
// MNIST was made and run through a small trained CNN, whose feature maps and class
// probabilities are shown as the reader draws. One ES module for the live notebook
// (anywidget) and the static page. The model holds "weights": the CNN's float32 weights,
// base64, as cnnbook.draw exports them. Nothing is fetched from the network. The book's prelude
// (js/_prelude.js, put before this module) provides cnnbookFrame: projector scale and error display.

const CANVAS = 280; // drawing resolution (pixels); shown smaller or larger by CSS
const STROKE = 18; // pen width at that resolution: about 2 MNIST pixels after scaling
const BOX = 20; // MNIST: the ink's bounding box is scaled into 20x20 ...
const SIZE = 28; // ... and centred by its centre of mass in 28x28

// ---- the arithmetic (exported for the tests) ---------------------------------------------

function decodeFloat32(text) {
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  return new Float32Array(bytes.buffer);
}

/** The weights of cnnbook.draw's export as {name: {kind, shape, kernel, bias}} with Float32Arrays. */
export function decodeWeights(weights) {
  const layers = {};
  for (const layer of weights.layers) {
    layers[layer.name] = {
      kind: layer.kind,
      shape: layer.shape,
      kernel: decodeFloat32(layer.kernel),
      bias: decodeFloat32(layer.bias),
    };
  }
  return layers;
}

// Halves up; within 1e-9 below a half counts as the half (summation order differs from numpy's).
function roundHalfUp(value) {
  return Math.floor(value + 0.5 + 1e-9);
}

// Each target cell the mean of the source cells it overlaps: [{first, weights}] per target cell.
function areaWeights(target, source) {
  const step = source / target;
  const rows = [];
  for (let t = 0; t < target; t++) {
    const start = t * step;
    const end = start + step;
    const first = Math.floor(start);
    const weights = [];
    for (let s = first; s < Math.min(source, Math.ceil(end)); s++) {
      weights.push(Math.max(0, Math.min(end, s + 1) - Math.max(start, s)) / step);
    }
    rows.push({ first, weights });
  }
  return rows;
}

/**
 * MNIST's preprocessing of a drawing (rows x cols, 0 background .. 1 ink): the ink's bounding box
 * scaled to 20 pixels on its longer side, placed in 28x28 with its centre of mass at the centre.
 * Returns a Float32Array of 784 (all zeros when there is no ink), as cnnbook.draw.preprocess_like_mnist.
 */
export function preprocess(ink, rows, cols) {
  const image = new Float32Array(SIZE * SIZE);
  let top = rows;
  let bottom = -1;
  let left = cols;
  let right = -1;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (ink[r * cols + c] > 0) {
        if (r < top) top = r;
        if (r > bottom) bottom = r;
        if (c < left) left = c;
        if (c > right) right = c;
      }
    }
  }
  if (bottom < 0) return image;
  const boxRows = bottom - top + 1;
  const boxCols = right - left + 1;
  const scale = BOX / Math.max(boxRows, boxCols);
  const height = Math.max(1, roundHalfUp(boxRows * scale));
  const width = Math.max(1, roundHalfUp(boxCols * scale));
  const rowWeights = areaWeights(height, boxRows);
  const colWeights = areaWeights(width, boxCols);
  // Rows first (height x boxCols), then columns (height x width).
  const byRows = new Float64Array(height * boxCols);
  for (let h = 0; h < height; h++) {
    const { first, weights } = rowWeights[h];
    for (let k = 0; k < weights.length; k++) {
      const source = (top + first + k) * cols + left;
      for (let c = 0; c < boxCols; c++) byRows[h * boxCols + c] += weights[k] * ink[source + c];
    }
  }
  const patch = new Float64Array(height * width);
  let total = 0;
  let rowMoment = 0;
  let colMoment = 0;
  for (let h = 0; h < height; h++) {
    for (let w = 0; w < width; w++) {
      const { first, weights } = colWeights[w];
      let value = 0;
      for (let k = 0; k < weights.length; k++) value += weights[k] * byRows[h * boxCols + first + k];
      patch[h * width + w] = value;
      total += value;
      rowMoment += value * h; // pixel indices, as MNIST
      colMoment += value * w;
    }
  }
  const shiftRows = roundHalfUp(SIZE / 2 - rowMoment / total); // centre of mass to row and column 14
  const shiftCols = roundHalfUp(SIZE / 2 - colMoment / total);
  for (let h = 0; h < height; h++) {
    for (let w = 0; w < width; w++) {
      const r = shiftRows + h;
      const c = shiftCols + w;
      if (r >= 0 && r < SIZE && c >= 0 && c < SIZE) {
        image[r * SIZE + c] = Math.min(1, Math.max(0, patch[h * width + w]));
      }
    }
  }
  return image;
}

// Convolution with "same" padding and ReLU, channels-last, Keras's kernel layout (kh, kw, in, out).
function convRelu(input, size, layer) {
  const [kh, kw, channelsIn, channelsOut] = layer.shape;
  const { kernel, bias } = layer;
  const padRows = (kh - 1) >> 1;
  const padCols = (kw - 1) >> 1;
  const output = new Float32Array(size * size * channelsOut);
  const sums = new Float64Array(channelsOut);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let o = 0; o < channelsOut; o++) sums[o] = bias[o];
      for (let dy = 0; dy < kh; dy++) {
        const row = y + dy - padRows;
        if (row < 0 || row >= size) continue;
        for (let dx = 0; dx < kw; dx++) {
          const col = x + dx - padCols;
          if (col < 0 || col >= size) continue;
          const inputBase = (row * size + col) * channelsIn;
          const kernelBase = (dy * kw + dx) * channelsIn * channelsOut;
          for (let i = 0; i < channelsIn; i++) {
            const value = input[inputBase + i];
            if (value === 0) continue;
            const weights = kernelBase + i * channelsOut;
            for (let o = 0; o < channelsOut; o++) sums[o] += value * kernel[weights + o];
          }
        }
      }
      const base = (y * size + x) * channelsOut;
      for (let o = 0; o < channelsOut; o++) output[base + o] = sums[o] > 0 ? sums[o] : 0;
    }
  }
  return output;
}

function maxPool(input, size, channels) {
  const half = size >> 1;
  const output = new Float32Array(half * half * channels);
  for (let y = 0; y < half; y++) {
    for (let x = 0; x < half; x++) {
      for (let c = 0; c < channels; c++) {
        const at = (r, q) => input[(r * size + q) * channels + c];
        output[(y * half + x) * channels + c] = Math.max(
          at(2 * y, 2 * x),
          at(2 * y, 2 * x + 1),
          at(2 * y + 1, 2 * x),
          at(2 * y + 1, 2 * x + 1),
        );
      }
    }
  }
  return output;
}

/**
 * The CNN's forward pass on one 28x28 image (Float32Array of 784, rows then columns).
 * Returns {conv1, conv2 (after ReLU, channels-last), logits, probabilities}.
 */
export function forward(layers, image) {
  const conv1 = convRelu(image, SIZE, layers.conv1);
  const pooled1 = maxPool(conv1, SIZE, layers.conv1.shape[3]);
  const conv2 = convRelu(pooled1, SIZE / 2, layers.conv2);
  const pooled2 = maxPool(conv2, SIZE / 2, layers.conv2.shape[3]);
  const dense = layers.logits;
  const [inputs, classes] = dense.shape;
  const logits = new Float32Array(classes);
  for (let o = 0; o < classes; o++) {
    let sum = dense.bias[o];
    for (let j = 0; j < inputs; j++) sum += pooled2[j] * dense.kernel[j * classes + o];
    logits[o] = sum;
  }
  const largest = Math.max(...logits);
  const exps = Array.from(logits, (z) => Math.exp(z - largest));
  const total = exps.reduce((a, b) => a + b, 0);
  const probabilities = new Float32Array(exps.map((e) => e / total));
  return { conv1, conv2, logits, probabilities };
}

// ---- the page ------------------------------------------------------------------------------

const STYLE = `
.cnnbook-draw-digit { font: 13px/1.35 sans-serif; color: #222; }
.cnnbook-draw-digit .row { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.cnnbook-draw-digit .pad { border: 1px solid #888; background: #000; touch-action: none; cursor: crosshair; }
.cnnbook-draw-digit canvas.pixels { image-rendering: pixelated; border: 1px solid #bbb; background: #000; }
.cnnbook-draw-digit .maps { display: flex; flex-wrap: wrap; gap: 3px; max-width: 440px; }
.cnnbook-draw-digit .caption { margin: 2px 0 4px; color: #444; }
.cnnbook-draw-digit table.probabilities td { padding: 0 4px; }
.cnnbook-draw-digit .bar { height: 11px; background: #4a7fb5; }
.cnnbook-draw-digit tr.best .bar { background: #d2691e; }
.cnnbook-draw-digit tr.best td { font-weight: bold; }
.cnnbook-draw-digit button { margin-top: 4px; }
`;

function element(tag, attributes = {}, parent = null) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  if (parent) parent.appendChild(node);
  return node;
}

function pixelCanvas(size, shown, parent, label) {
  const canvas = element("canvas", { class: "pixels", width: size, height: size, "aria-label": label }, parent);
  canvas.style.width = `${shown}px`;
  canvas.style.height = `${shown}px`;
  return canvas;
}

// Paint one channel of a channels-last stack as grey levels, `top` drawn white.
function paint(canvas, values, size, channels, channel, top) {
  const context = canvas.getContext("2d");
  const picture = context.createImageData(size, size);
  for (let p = 0; p < size * size; p++) {
    const value = values ? values[p * channels + channel] : 0;
    const grey = top > 0 ? Math.round(255 * Math.min(1, value / top)) : 0;
    picture.data.set([grey, grey, grey, 255], 4 * p);
  }
  context.putImageData(picture, 0, 0);
}

function largest(values) {
  let top = 0;
  for (const value of values) if (value > top) top = value;
  return top;
}

function render({ model, el }) {
  const { body, setError, dispose } = cnnbookFrame({ model, el });
  const layers = decodeWeights(model.get("weights"));
  const root = element("div", { class: "cnnbook-draw-digit" }, body);
  element("style", { text: STYLE }, root);
  const top = element("div", { class: "row" }, root);

  const drawing = element("div", {}, top);
  element("div", { class: "caption", text: "Draw a digit here (mouse, pen or finger)" }, drawing);
  const pad = element("canvas", { class: "pad", width: CANVAS, height: CANVAS, "aria-label": "drawing area" }, drawing);
  pad.style.width = pad.style.height = "224px";
  const controls = element("div", {}, drawing);
  const clear = element("button", { type: "button", text: "Clear" }, controls);
  const status = element("div", { class: "status caption" }, drawing);

  const inputBox = element("div", {}, top);
  element("div", { class: "caption", text: "What the CNN sees: 28 x 28" }, inputBox);
  const inputCanvas = pixelCanvas(SIZE, 112, inputBox, "preprocessed input, 28 by 28");

  const probabilityBox = element("div", {}, top);
  element("div", { class: "caption", text: "Class probabilities" }, probabilityBox);
  const table = element("table", { class: "probabilities" }, probabilityBox);
  const bars = [];
  for (let digit = 0; digit < 10; digit++) {
    const row = element("tr", {}, table);
    element("td", { text: String(digit) }, row);
    const cell = element("td", { style: "width:120px" }, row);
    const bar = element("div", { class: "bar" }, cell);
    const text = element("td", { class: "probability", text: "" }, row);
    bars.push({ row, bar, text });
  }

  const mapCanvases = {};
  for (const [name, size, shown] of [
    ["conv1", SIZE, 48],
    ["conv2", SIZE / 2, 36],
  ]) {
    const channels = layers[name].shape[3];
    const box = element("div", {}, root);
    element("div", {
      class: "caption",
      text: `${name}: ${channels} feature maps of ${size} x ${size} (after ReLU; white = the layer's largest value)`,
    }, box);
    const maps = element("div", { class: `maps ${name}` }, box);
    mapCanvases[name] = Array.from({ length: channels }, (_, c) =>
      pixelCanvas(size, shown, maps, `${name} channel ${c}`),
    );
  }

  const context = pad.getContext("2d", { willReadFrequently: true });
  context.lineCap = context.lineJoin = "round";
  context.lineWidth = STROKE;
  context.strokeStyle = context.fillStyle = "#fff";

  function show(result, image) {
    paint(inputCanvas, image, SIZE, 1, 0, 1);
    for (const name of ["conv1", "conv2"]) {
      const size = name === "conv1" ? SIZE : SIZE / 2;
      const values = result ? result[name] : null;
      const high = values ? largest(values) : 0;
      mapCanvases[name].forEach((canvas, c) => paint(canvas, values, size, mapCanvases[name].length, c, high));
    }
    const best = result ? result.probabilities.indexOf(Math.max(...result.probabilities)) : -1;
    bars.forEach(({ row, bar, text }, digit) => {
      const p = result ? result.probabilities[digit] : 0;
      bar.style.width = `${(100 * p).toFixed(1)}%`;
      text.textContent = result ? `${(100 * p).toFixed(1)}%` : "";
      row.classList.toggle("best", digit === best);
    });
    status.textContent = result
      ? `The CNN says ${best} (${(100 * result.probabilities[best]).toFixed(1)}%).`
      : "Draw a digit: the CNN updates as you draw.";
  }

  function update() {
    try {
      run();
      setError("");
    } catch (error) {
      setError(`the drawing could not be run through the CNN (${error})`);
    }
  }

  function run() {
    const pixels = context.getImageData(0, 0, CANVAS, CANVAS).data;
    const ink = new Float32Array(CANVAS * CANVAS);
    for (let p = 0; p < ink.length; p++) ink[p] = pixels[4 * p + 3] / 255; // white ink: its opacity
    const image = preprocess(ink, CANVAS, CANVAS);
    const empty = !image.some((value) => value > 0);
    show(empty ? null : forward(layers, image), image);
  }

  let pending = false;
  function scheduleUpdate() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      update();
    });
  }

  let last = null;
  function point(event) {
    const box = pad.getBoundingClientRect();
    return [((event.clientX - box.left) / box.width) * CANVAS, ((event.clientY - box.top) / box.height) * CANVAS];
  }
  function onDown(event) {
    event.preventDefault();
    if (pad.setPointerCapture && event.pointerId !== undefined) {
      try {
        pad.setPointerCapture(event.pointerId);
      } catch (error) {
        // a synthetic pointer cannot be captured; drawing works without capture
      }
    }
    last = point(event);
    context.beginPath();
    context.arc(last[0], last[1], STROKE / 2, 0, 2 * Math.PI);
    context.fill();
    scheduleUpdate();
  }
  function onMove(event) {
    if (!last) return;
    event.preventDefault();
    const next = point(event);
    context.beginPath();
    context.moveTo(last[0], last[1]);
    context.lineTo(next[0], next[1]);
    context.stroke();
    last = next;
    scheduleUpdate();
  }
  function onUp() {
    if (last) scheduleUpdate();
    last = null;
  }
  function onClear() {
    context.clearRect(0, 0, CANVAS, CANVAS);
    update();
  }
  const listeners = [
    [pad, "pointerdown", onDown],
    [pad, "pointermove", onMove],
    [pad, "pointerup", onUp],
    [pad, "pointercancel", onUp],
    [pad, "pointerleave", onUp],
    [clear, "click", onClear],
  ];
  for (const [target, type, handler] of listeners) target.addEventListener(type, handler);
  update();

  return () => {
    for (const [target, type, handler] of listeners) target.removeEventListener(type, handler);
    dispose();
  };
}

export default { render };

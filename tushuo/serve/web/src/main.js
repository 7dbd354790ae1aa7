// tushuo serve: the page. Editor (CodeMirror 6), problems, live preview, click-to-source.
import { EditorView, basicSetup } from "codemirror";
import { EditorState, StateEffect, StateField } from "@codemirror/state";
import { Decoration, hoverTooltip, keymap } from "@codemirror/view";
import { yaml } from "@codemirror/lang-yaml";
import { setDiagnostics, lintGutter } from "@codemirror/lint";
import { autocompletion } from "@codemirror/autocomplete";
import { indentWithTab } from "@codemirror/commands";
import { SchemaHelp, parseLine, pathAt } from "./schema.js";

const PREVIEW_DELAY = 120; // ms after the last keystroke (the preview itself takes ~50 ms)
const SAVE_DELAY = 1200;
const POLL = 2000;
const THEME_NAMES = { "party-red": "党政红", "gov-blue": "政务蓝", "fresh-green": "清新绿", ink: "黑白（打印）" };

const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
};

const state = {
  files: [], templates: [], name: null, version: null, saved: "", dirty: false,
  width: "spec", theme: "", view: "long", slices: true, preview: null, rev: 0, shown: 0,
  conflict: null, autosave: true,
};
let help = null;

async function api(path, body) {
  const opts = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const r = await fetch(path, opts);
  let data = {};
  try { data = await r.json(); } catch (e) { data = { error: `HTTP ${r.status}` }; }
  return { ok: r.ok, status: r.status, data };
}

function toast(text, kind = "info") {
  const t = el("div", { class: `toast ${kind}`, role: "status" }, text);
  $("#toasts").append(t);
  setTimeout(() => t.remove(), kind === "error" ? 9000 : 3500);
}

// ---------------------------------------------------------------- editor
const flashMark = Decoration.line({ class: "cm-flash" });
const setFlash = StateEffect.define();
const flashField = StateField.define({
  create: () => Decoration.none,
  update(deco, tr) {
    deco = deco.map(tr.changes);
    for (const e of tr.effects) if (e.is(setFlash)) deco = e.value;
    return deco;
  },
  provide: (f) => EditorView.decorations.from(f),
});

function contextAt(doc, pos) {
  const line = doc.lineAt(pos);
  const before = line.text.slice(0, pos - line.from);
  const lines = doc.toString().split("\n");
  const ents = parseLine(before);
  const last = ents[ents.length - 1];
  const valueMatch = last && last.kind === "key" ? /:\s*([^\s]*)$/.exec(before) : null;
  if (last && last.kind === "key" && valueMatch && before.length > last.col + last.key.length) {
    const { levels, rootKeys } = pathAt(lines, line.number - 1, last.col, ents.slice(0, -1));
    return { kind: "value", key: last.key, levels, rootKeys, from: pos - valueMatch[1].length };
  }
  const word = /([\w-]*)$/.exec(before)[1];
  const head = before.slice(0, before.length - word.length);
  if (!/^[\s-]*$/.test(head) || (head.trim() && !/^\s*(-\s+)+$/.test(head))) return null;
  const col = head.length;
  const own = parseLine(head + "x:").filter((e) => e.kind === "item");
  const { levels, rootKeys } = pathAt(lines, line.number - 1, col, own);
  return { kind: "key", levels, rootKeys, from: pos - word.length };
}

function completeSpec(cx) {
  if (!help) return null;
  const c = contextAt(cx.state.doc, cx.pos);
  if (!c) return null;
  if (c.kind === "key") {
    const opts = help.keyOptions(c.levels, c.rootKeys);
    if (!opts.length) return null;
    return {
      from: c.from,
      options: opts.map((o) => ({ label: o.label, detail: o.detail, info: o.info, apply: o.label + ": ", type: "property" })),
      validFor: /^[\w-]*$/,
    };
  }
  const opts = help.valueOptions(c.levels, c.rootKeys, c.key);
  if (!opts.length) return null;
  return { from: c.from, options: opts.map((o) => ({ label: o.label, info: o.info, type: "enum" })), validFor: /^[\w-]*$/ };
}

const schemaHover = hoverTooltip((view, pos) => {
  if (!help) return null;
  const line = view.state.doc.lineAt(pos);
  const ents = parseLine(line.text);
  const key = ents.find((e) => e.kind === "key");
  if (!key) return null;
  const start = line.from + key.col;
  const onValue = key.key === "type" && pos > start + key.key.length;
  if (!onValue && (pos < start || pos > start + key.key.length)) return null;
  const lines = view.state.doc.toString().split("\n");
  const { levels, rootKeys } = pathAt(lines, line.number - 1, key.col, ents.filter((e) => e.kind === "item"));
  let h;
  if (onValue) {
    const inner = levels.length ? levels[levels.length - 1].keys : rootKeys;
    inner.type = key.value;
    h = help.hover(levels, rootKeys, "type");
  } else {
    h = help.hover(levels, rootKeys, key.key);
  }
  if (!h) return null;
  return {
    pos: start, end: start + key.key.length, above: true,
    create: () => ({ dom: el("div", { class: "hover" }, el("b", {}, h.title), el("div", {}, h.text)) }),
  };
});

const view = new EditorView({
  parent: $("#editor"),
  state: EditorState.create({
    doc: "",
    extensions: [
      basicSetup, yaml(), lintGutter(), flashField, schemaHover,
      autocompletion({ override: [completeSpec], activateOnTyping: true }),
      keymap.of([indentWithTab, { key: "Mod-s", run: () => { save(); return true; } }]),
      EditorView.updateListener.of((u) => { if (u.docChanged) edited(); }),
      EditorView.lineWrapping,
    ],
  }),
});

function setText(text) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

function jumpTo(line, col) {
  const doc = view.state.doc;
  const ln = doc.line(Math.max(1, Math.min(line, doc.lines)));
  const pos = Math.min(ln.from + Math.max(0, (col || 1) - 1), ln.to);
  view.dispatch({
    selection: { anchor: pos }, scrollIntoView: true,
    effects: [setFlash.of(Decoration.set([flashMark.range(ln.from)])),
      EditorView.scrollIntoView(pos, { y: "center" })],
  });
  view.focus();
  setTimeout(() => view.dispatch({ effects: setFlash.of(Decoration.none) }), 1200);
}

// ---------------------------------------------------------------- files
async function loadFiles() {
  const r = await api("/api/files");
  if (!r.ok) return toast(r.data.error, "error");
  state.files = r.data.files;
  state.templates = r.data.templates;
  $("#folder").textContent = r.data.folder;
  const sel = $("#theme");
  if (sel.options.length <= 1) {
    for (const t of r.data.themes) sel.append(el("option", { value: t }, THEME_NAMES[t] || t));
  }
  renderFiles();
}

function renderFiles() {
  const list = $("#files");
  list.replaceChildren();
  for (const f of state.files) {
    const item = el("li", { class: f === state.name ? "active" : "", "data-name": f, title: f,
      onclick: () => openFile(f) }, f);
    list.append(item);
  }
  if (!state.files.length) list.append(el("li", { class: "empty" }, "文件夹里还没有规格文件。点“新建”从模板开始。"));
}

async function openFile(name) {
  if (state.dirty && state.name && !(await saveNow())) return;
  const r = await api(`/api/file?name=${encodeURIComponent(name)}`);
  if (!r.ok) {
    toast(`无法打开 ${name}：${r.data.error}`, "error");
    $("#refused").textContent = `无法打开 ${name}：${r.data.error}`;
    $("#refused").hidden = false;
    return;
  }
  $("#refused").hidden = true;
  state.name = r.data.name;
  state.version = r.data.version;
  state.saved = r.data.text;
  const backup = localStorage.getItem(backupKey());
  setText(r.data.text);
  state.dirty = false;
  if (backup !== null && backup !== r.data.text) {
    showBanner("上次有未保存的修改（浏览器里留有备份）。", [
      ["恢复我的修改", () => { setText(backup); hideBanner(); }],
      ["丢弃", () => { localStorage.removeItem(backupKey()); hideBanner(); }],
    ]);
  }
  history.replaceState(null, "", `#${encodeURIComponent(name)}`);
  document.title = `${name} · 图说编辑器`;
  $("#filename").textContent = name;
  setStatus("已保存");
  renderFiles();
  schedulePreview(0);
}

const backupKey = () => `tushuo-serve:${$("#folder").textContent}:${state.name}`;

function showBanner(text, actions) {
  const b = $("#banner");
  b.replaceChildren(el("span", {}, text), ...actions.map(([label, fn]) => el("button", { onclick: fn }, label)));
  b.hidden = false;
}
function hideBanner() { $("#banner").hidden = true; }

function setStatus(text, kind = "") {
  const s = $("#status");
  s.textContent = text;
  s.className = kind;
}

let saveTimer = 0;
function edited() {
  if (!state.name) return;
  const text = view.state.doc.toString();
  state.dirty = text !== state.saved;
  if (state.dirty) {
    localStorage.setItem(backupKey(), text);
    setStatus("未保存…");
    clearTimeout(saveTimer);
    if (state.autosave) saveTimer = setTimeout(save, SAVE_DELAY);
  }
  schedulePreview(PREVIEW_DELAY);
}

function save() { saveNow(); }

async function saveNow(force = false) {
  clearTimeout(saveTimer);
  if (!state.name || (!state.dirty && !force) || state.conflict) return !state.conflict;
  const text = view.state.doc.toString();
  setStatus("保存中…");
  const r = await api("/api/save", { name: state.name, text, version: state.version });
  if (r.status === 409) {
    state.conflict = r.data;
    setStatus("有冲突", "bad");
    showBanner("这个文件已在别处被修改。你的修改还在编辑器里，没有覆盖磁盘上的文件。", [
      ["载入磁盘上的版本", () => { state.conflict = null; localStorage.removeItem(backupKey()); state.saved = r.data.text; state.version = r.data.version; setText(r.data.text); state.dirty = false; setStatus("已载入"); hideBanner(); }],
      ["用我的修改覆盖", () => { state.version = r.data.version; state.conflict = null; hideBanner(); saveNow(true); }],
    ]);
    return false;
  }
  if (!r.ok) { setStatus("保存失败", "bad"); toast(`保存失败：${r.data.error}`, "error"); return false; }
  state.version = r.data.version;
  state.saved = text;
  state.dirty = view.state.doc.toString() !== text;
  if (!state.dirty) { localStorage.removeItem(backupKey()); setStatus("已保存"); }
  return true;
}

async function poll() {
  if (state.name && !state.conflict) {
    const r = await api(`/api/version?name=${encodeURIComponent(state.name)}`);
    if (r.ok && r.data.assets) schedulePreview(0); // a picture or data file changed
    if (r.ok && r.data.version && r.data.version !== state.version) {
      if (!state.dirty) {
        const f = await api(`/api/file?name=${encodeURIComponent(state.name)}`);
        if (f.ok) {
          state.version = f.data.version; state.saved = f.data.text;
          setText(f.data.text); state.dirty = false; setStatus("已从磁盘重新载入");
        }
      } else {
        state.conflict = { version: r.data.version };
        showBanner("这个文件已在别处被修改，而你有未保存的修改。", [
          ["载入磁盘上的版本", async () => { state.conflict = null; hideBanner(); state.dirty = false; await openFile(state.name); }],
          ["用我的修改覆盖", () => { state.version = r.data.version; state.conflict = null; hideBanner(); saveNow(true); }],
        ]);
        setStatus("有冲突", "bad");
      }
    }
  }
  setTimeout(poll, POLL);
}

// ---------------------------------------------------------------- preview
let previewTimer = 0;
let inflight = false;
let again = false;
function schedulePreview(delay) {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(runPreview, delay);
}

async function runPreview() {
  if (!state.name) return;
  if (inflight) { again = true; return; }
  inflight = true;
  const rev = ++state.rev;
  const t0 = performance.now();
  const r = await api("/api/preview", {
    name: state.name, text: view.state.doc.toString(), width: state.width === "spec" ? null : Number(state.width),
    theme: state.theme || null, density: Math.min(2, window.devicePixelRatio || 1), view: state.view,
  });
  inflight = false;
  if (again) { again = false; schedulePreview(0); }
  if (!r.ok) { toast(r.data.error, "error"); return; }
  showProblems(r.data.problems);
  for (const [key, b64] of Object.entries(r.data.data || {})) loadTile(key, `data:image/png;base64,${b64}`);
  if (r.data.tiles.length) {
    state.preview = r.data;
    await drawPreview();
  } else if (!state.preview || state.preview.name !== state.name) {
    state.preview = null;
    $("#canvas").replaceChildren(el("div", { class: "empty" }, "规格里有错误，改正左下方列出的问题后，这里显示预览。"));
    $("#size").textContent = "";
  }
  if (state.preview) state.preview.name = state.name;
  state.shown = rev;
  const ms = Math.round(performance.now() - t0);
  $("#timing").textContent = r.data.tiles.length ? `预览 ${ms} ms` : "";
  $("#pane").dataset.rev = String(rev);
  $("#pane").classList.toggle("stale", !r.data.tiles.length);
}

function showProblems(problems) {
  const doc = view.state.doc;
  const diags = [];
  for (const p of problems) {
    const ln = doc.line(Math.max(1, Math.min(p.line || 1, doc.lines)));
    const from = Math.min(ln.from + Math.max(0, (p.col || 1) - 1), ln.to);
    const m = /^[^\s:]+/.exec(doc.sliceString(from, ln.to));
    diags.push({ from, to: m ? from + m[0].length : ln.to, severity: p.level === "error" ? "error" : "warning",
      message: (p.path ? p.path + ": " : "") + p.message });
  }
  view.dispatch(setDiagnostics(view.state, diags));
  const list = $("#problems");
  list.replaceChildren();
  const errors = problems.filter((p) => p.level === "error").length;
  const warns = problems.length - errors;
  $("#problem-count").textContent = problems.length ? `${errors} 个错误，${warns} 个提醒` : "没有问题";
  $("#problem-count").className = errors ? "bad" : warns ? "warn" : "good";
  for (const p of problems) {
    list.append(el("li", { class: `problem ${p.level}`, "data-line": String(p.line || ""),
      onclick: () => jumpTo(p.line || 1, p.col || 1) }, el("span", { class: "icon" }, p.level === "error" ? "✖" : "⚠"),
    el("code", {}, p.text)));
  }
}

const tileCache = new Map(); // key → loaded <img> (kept while used)

function loadTile(key, src = `/api/tile/${key}`) {
  let img = tileCache.get(key);
  if (img) return img.decoded;
  img = new Image();
  img.decoded = new Promise((resolve) => {
    img.onload = () => resolve(img);
    img.onerror = () => resolve(img);
  });
  img.src = src;
  img.draggable = false;
  tileCache.set(key, img);
  return img.decoded;
}

function stack(p, k, top = 0, bottom = p.height) {
  // the tiles covering design rows [top, bottom), as positioned images at k CSS px per design px
  const box = el("div", { class: "tiles" });
  for (const t of p.tiles) {
    const y0 = t.r0 / p.scale, y1 = t.r1 / p.scale;
    if (y1 <= top || y0 >= bottom) continue;
    const img = tileCache.get(t.key).cloneNode();
    img.style.top = `${(y0 - top) * k}px`;
    img.style.height = `${(y1 - y0) * k + 0.5}px`;
    box.append(img);
  }
  box.style.height = `${(bottom - top) * k}px`;
  return box;
}

async function drawPreview() {
  const p = state.preview;
  await Promise.all(p.tiles.map((t) => loadTile(t.key)));
  const used = new Set(p.tiles.map((t) => t.key));
  for (const key of [...tileCache.keys()]) if (!used.has(key)) tileCache.delete(key);
  const pane = $("#canvas");
  const k = Math.min(1, ($("#pane").clientWidth - 48) / p.width);
  pane.replaceChildren();
  pane.dataset.k = String(k);
  pane.classList.toggle("pages", state.view === "pages" && !!p.pages);
  $("#slices").parentElement.hidden = state.view === "pages";
  if (state.view === "pages" && p.pages) {
    // whole pages in view, side by side when they fit
    drawPages(pane, p, Math.min(k, (pane.clientHeight - 70) / p.pages.page_height));
  } else {
    const sheet = el("div", { class: "sheet" });
    sheet.style.width = `${p.width * k}px`;
    sheet.append(stack(p, k));
    if (state.slices) {
      p.slices.forEach((y, i) => {
        const line = el("div", { class: "slice-line" }, el("span", {}, `切片 ${i + 1} ↑ ${i + 2} ↓`));
        line.style.top = `${y * k}px`;
        sheet.append(line);
      });
    }
    sheet.addEventListener("click", (ev) => clickAt(ev, sheet, k, (y) => y));
    sheet.addEventListener("mousemove", (ev) => hoverAt(ev, sheet, k, (y) => y));
    sheet.addEventListener("mouseleave", () => sheet.querySelector(".hit")?.remove());
    pane.append(sheet);
    const info = `${Math.round(p.width)} × ${Math.round(p.height)} px，${p.slices.length + 1} 张切片`;
    $("#size").textContent = info;
  }
}

function drawPages(pane, p, k) {
  const pg = p.pages;
  const n = pg.cuts.length + (pg.footer && pg.footer_page === pg.cuts.length ? 1 : 0);
  const pw = p.width * k;
  for (let i = 0; i < n; i++) {
    const page = el("div", { class: "page" });
    page.style.width = `${pw}px`;
    page.style.height = `${pg.page_height * k}px`;
    const bands = [];
    if (i < pg.cuts.length) bands.push([pg.cuts[i][0], pg.cuts[i][1], pg.margin_top]);
    if (pg.footer && pg.footer_page === i) bands.push([pg.footer[0], pg.footer[1], pg.footer_y]);
    for (const [top, bottom, at] of bands) {
      const part = stack(p, k, top, bottom);
      part.style.top = `${at * k}px`;
      part.classList.add("band");
      part.addEventListener("click", (ev) => clickAt(ev, part, k, (y) => y + top));
      part.addEventListener("mousemove", (ev) => hoverAt(ev, part, k, (y) => y + top, top));
      part.addEventListener("mouseleave", () => part.querySelector(".hit")?.remove());
      page.append(part);
    }
    page.append(el("div", { class: "page-no" }, `第 ${i + 1} 页`));
    pane.append(page);
  }
  $("#size").textContent = `${pg.name} 页面 · 正文 ${n} 页（导出的 PDF 另有封面和目录）`;
}

function targetAt(ev, box, k, toFrame) {
  const r = box.getBoundingClientRect();
  const x = (ev.clientX - r.left) / k, y = toFrame((ev.clientY - r.top) / k);
  let best = null;
  for (const t of state.preview.targets) {
    if (x >= t.x && x <= t.x + t.w && y >= t.y && y <= t.y + t.h && (!best || t.w * t.h < best.w * best.h)) best = t;
  }
  return best;
}

function clickAt(ev, box, k, toFrame) {
  const t = targetAt(ev, box, k, toFrame);
  if (t) jumpTo(t.line, t.col);
}

function hoverAt(ev, box, k, toFrame, top = 0) {
  const t = targetAt(ev, box, k, toFrame);
  let hit = box.querySelector(".hit");
  if (!t) { hit?.remove(); return; }
  if (!hit) { hit = el("div", { class: "hit" }); box.append(hit); }
  Object.assign(hit.style, { left: `${t.x * k}px`, top: `${(t.y - top) * k}px`, width: `${t.w * k}px`, height: `${t.h * k}px` });
  hit.title = `${t.path}（第 ${t.line} 行）`;
}

// ---------------------------------------------------------------- export, new
async function exportAs(kind) {
  if (!state.name) return;
  await saveNow();
  const r = await api("/api/export", {
    name: state.name, kind, text: view.state.doc.toString(),
    width: state.width === "spec" ? null : Number(state.width), theme: state.theme || null,
  });
  if (!r.ok) return toast(`导出失败：${r.data.error}`, "error");
  if (r.data.problems) {
    showProblems(r.data.problems);
    return toast("规格有错误，没有导出。请先改正下面列出的问题。", "error");
  }
  const list = r.data.written;
  toast(`已导出：${list.length > 3 ? `${list[0]} 等 ${list.length} 个文件` : list.join("、")}`, "ok");
  $("#exported").textContent = list.join("\n");
  loadFiles();
}

function openNewDialog() {
  const dlg = $("#new-dialog");
  const list = $("#templates");
  list.replaceChildren();
  state.templates.forEach((t, i) => {
    const id = `tpl-${i}`;
    list.append(el("label", { class: "tpl", for: id },
      el("input", { type: "radio", name: "template", value: t.name, id, ...(i === 0 ? { checked: "" } : {}) }),
      el("b", {}, t.name), el("span", {}, t.description)));
  });
  $("#new-name").value = "";
  dlg.showModal();
}

async function createNew(ev) {
  ev.preventDefault();
  const template = document.querySelector("input[name=template]:checked")?.value;
  const name = $("#new-name").value.trim();
  if (!name) return;
  const r = await api("/api/new", { name, template });
  if (!r.ok) return toast(r.data.error, "error");
  $("#new-dialog").close();
  await loadFiles();
  await openFile(r.data.name);
}

// ---------------------------------------------------------------- wiring
function bind() {
  $("#width").addEventListener("change", (e) => { state.width = e.target.value; schedulePreview(0); });
  $("#theme").addEventListener("change", (e) => { state.theme = e.target.value; schedulePreview(0); });
  $("#slices").addEventListener("change", (e) => { state.slices = e.target.checked; drawPreview(); });
  for (const b of document.querySelectorAll("[data-view]")) {
    b.addEventListener("click", () => {
      state.view = b.dataset.view;
      document.querySelectorAll("[data-view]").forEach((x) => x.classList.toggle("on", x === b));
      if (state.view === "pages" && state.preview && !state.preview.pages) schedulePreview(0);
      else if (state.preview) drawPreview();
    });
  }
  for (const b of document.querySelectorAll("[data-export]")) b.addEventListener("click", () => exportAs(b.dataset.export));
  $("#new").addEventListener("click", openNewDialog);
  $("#new-form").addEventListener("submit", createNew);
  $("#new-cancel").addEventListener("click", () => $("#new-dialog").close());
  $("#save").addEventListener("click", () => saveNow());
  window.addEventListener("resize", () => state.preview && drawPreview());
  window.addEventListener("hashchange", () => {
    const name = decodeURIComponent(location.hash.slice(1));
    if (name && name !== state.name) openFile(name);
  });
  window.addEventListener("beforeunload", (e) => { if (state.dirty) { saveNow(); e.preventDefault(); } });
}

async function start() {
  bind();
  const [schema] = await Promise.all([api("/api/schema"), loadFiles()]);
  if (schema.ok) help = new SchemaHelp(schema.data);
  const wanted = decodeURIComponent(location.hash.slice(1));
  if (wanted) await openFile(wanted);
  else if (state.files.length) await openFile(state.files[0]);
  setTimeout(poll, POLL);
  document.body.dataset.ready = "1";
}

window.tushuo = { view, state, jumpTo }; // tests and the preview maker drive the page through these
start();

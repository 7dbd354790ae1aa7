// Completion and hover help for YAML specs from tushuo's JSON Schema.
// The position's path (blocks → [] → items → [] → title) is read from indentation, the
// way block-style YAML nests; a union of block kinds is narrowed by the mapping's `type:`.

const ENTITY = /^(\s*)/;

// The entities a line starts: list dashes and a key, each with its column.
export function parseLine(text) {
  const out = [];
  let i = ENTITY.exec(text)[1].length;
  if (text[i] === "#") return out;
  while (text[i] === "-" && (text[i + 1] === " " || i + 1 === text.length)) {
    out.push({ kind: "item", col: i });
    i += 2;
    while (text[i] === " ") i++;
  }
  const m = /^([^\s:#{}\[\],"'][^:#{}\[\]]*?|"[^"]*"|'[^']*'):(\s|$)/.exec(text.slice(i));
  if (m) {
    const key = m[1].replace(/^["']|["']$/g, "").trim();
    out.push({ kind: "key", col: i, key, value: text.slice(i + m[0].length).trim() });
  }
  return out;
}

// Levels from the outside in: [{seg: "blocks"|"[]", keys: {...siblings inside}}], plus the
// innermost mapping's sibling keys. `col` is the column of the key being typed or looked at.
export function pathAt(lines, lineNo, col, ownEntities) {
  const levels = [];
  let C = col;
  let keys = {};
  const scanLine = (ents) => {
    for (let k = ents.length - 1; k >= 0; k--) {
      const e = ents[k];
      if (e.kind === "key" && e.col === C) { keys[e.key] = e.value; continue; }
      if (e.kind === "item" && e.col + 0.5 === C) continue; // a sibling item of the same list
      if (e.col < C) {
        if (e.kind === "key") {
          levels.unshift({ seg: e.key, keys });
          C = e.col;
        } else {
          levels.unshift({ seg: "[]", keys });
          C = e.col + 0.5; // the list's key may sit at the dash's own column
        }
        keys = {};
        if (e.kind === "key") keys[e.key] = e.value;
      }
    }
  };
  // siblings below, at the same column, until the mapping ends
  for (let i = lineNo + 1; i < lines.length; i++) {
    const ents = parseLine(lines[i]);
    if (!ents.length) continue;
    const first = ents[0];
    if (first.col < col) break;
    for (const e of ents) if (e.kind === "key" && e.col === col) keys[e.key] = e.value;
  }
  scanLine(ownEntities);
  for (let i = lineNo - 1; i >= 0 && C > 0; i--) {
    const ents = parseLine(lines[i]);
    if (ents.length) scanLine(ents);
  }
  return { levels, rootKeys: keys };
}

export class SchemaHelp {
  constructor(schema) {
    this.schema = schema;
  }

  ref(node) {
    let n = node;
    for (let guard = 0; n && n.$ref && guard < 20; guard++) {
      const name = n.$ref.split("/").pop();
      n = this.schema.$defs[name];
    }
    return n || {};
  }

  // The object variants a node may be (anyOf/oneOf flattened, nulls and scalars dropped).
  variants(node) {
    const n = this.ref(node);
    const alts = n.anyOf || n.oneOf;
    // an object with its own properties is one variant (the root's anyOf only lists required keys)
    if (alts && !n.properties) return alts.flatMap((a) => this.variants(a));
    return [n];
  }

  // The one object schema for a mapping with these keys (a block kind chosen by `type`).
  pick(node, keys) {
    const objs = this.variants(node).filter((v) => v.properties);
    if (objs.length <= 1) return objs[0] || null;
    const type = keys && keys.type;
    if (type) {
      const hit = objs.find((v) => v.properties.type && v.properties.type.const === type);
      if (hit) return hit;
    }
    return { union: objs };
  }

  // The schema of the mapping the path leads to. levels[i].keys are the keys of the
  // mapping levels[i] leads into; rootKeys those of the top level.
  mappingAt(levels, rootKeys) {
    let node = this.schema;
    let keys = rootKeys;
    for (const lv of levels) {
      if (lv.seg === "[]") {
        const arr = this.variants(node).find((v) => v.items);
        if (!arr) return null;
        node = arr.items;
      } else {
        const obj = this.pick(node, keys);
        if (!obj || obj.union) return null;
        node = obj.properties[lv.seg];
        if (!node) return null;
      }
      keys = lv.keys;
    }
    return this.pick(node, keys);
  }

  innerKeys(levels, rootKeys) {
    return levels.length ? levels[levels.length - 1].keys : rootKeys;
  }

  // [{label, detail, info}] for keys allowed here.
  keyOptions(levels, rootKeys) {
    const obj = this.mappingAt(levels, rootKeys);
    const keys = this.innerKeys(levels, rootKeys);
    if (!obj) return [];
    if (obj.union) {
      return [{ label: "type", detail: "块的种类", info: "Block kind: " + this.kinds(obj.union).join(", ") }];
    }
    return Object.entries(obj.properties)
      .filter(([k]) => !(k in keys))
      .map(([k, p]) => ({ label: k, detail: typeName(this, p), info: this.ref(p).description || p.description || "" }));
  }

  kinds(objs) {
    return objs.map((o) => o.properties.type && o.properties.type.const).filter(Boolean);
  }

  // [{label, info}] for the value of `key` here.
  valueOptions(levels, rootKeys, key) {
    const obj = this.mappingAt(levels, rootKeys);
    if (!obj) return [];
    if (obj.union) {
      if (key !== "type") return [];
      return obj.union.map((o) => ({ label: o.properties.type.const, info: o.description || "" }));
    }
    const p = obj.properties[key];
    if (!p) return [];
    const out = [];
    for (const v of this.variants(p)) {
      if (v.enum) v.enum.forEach((e) => out.push({ label: String(e), info: v.description || p.description || "" }));
      if (v.const !== undefined) out.push({ label: String(v.const), info: v.description || "" });
      if (v.type === "boolean") out.push({ label: "true", info: "" }, { label: "false", info: "" });
    }
    if (key === "theme") ["party-red", "gov-blue", "fresh-green", "ink"].forEach((t) => out.push({ label: t, info: "" }));
    return out;
  }

  // Help text for `key` in the mapping at levels, or for a block kind.
  hover(levels, rootKeys, key) {
    const obj = this.mappingAt(levels, rootKeys);
    if (!obj) return null;
    if (obj.union) return null;
    const p = obj.properties[key];
    if (!p) return { title: key, text: "此处没有这个字段（拼写错误？）可用：" + Object.keys(obj.properties).join("、") };
    let text = this.ref(p).description || p.description || "";
    if (key === "type" && obj.description) text = obj.description;
    return { title: `${key}: ${typeName(this, p)}`, text };
  }
}

function typeName(help, p) {
  const vs = help.variants(p).filter((v) => v.type !== "null");
  const names = vs.map((v) => {
    if (v.enum) return v.enum.join(" | ");
    if (v.const !== undefined) return JSON.stringify(v.const);
    if (v.type === "array") return "list";
    if (v.properties) return "mapping";
    return v.type || "any";
  });
  return [...new Set(names)].join(" | ");
}

// Tokenizes .wharf files with the extension's TextMate grammar through
// vscode-textmate + vscode-oniguruma (the tokenizer VS Code runs), and
// checks the scopes against Wharf's own lexical structure, found by an
// independent scan: every comment character is in a comment scope, every
// string character in a string scope, every statement's head is a keyword
// (or storage type), every number is numeric. Also exact scopes for a few
// lines. Usage: node tokenize.js FILE_OR_DIR...  (exit 1 on any mismatch)
"use strict";
const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const grammarPath = path.join(__dirname, "..", "syntaxes", "wharf.tmLanguage.json");

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) =>
      scope === "source.wharf"
        ? vsctm.parseRawGrammar(fs.readFileSync(grammarPath, "utf8"), grammarPath)
        : null,
  });
  return registry.loadGrammar("source.wharf");
}

// Per line, the scopes of each character.
function tokenize(grammar, text) {
  let stack = vsctm.INITIAL;
  return text.split("\n").map((line) => {
    const r = grammar.tokenizeLine(line, stack);
    stack = r.ruleStack;
    const scopes = new Array(line.length);
    for (const t of r.tokens) {
      for (let i = t.startIndex; i < Math.min(t.endIndex, line.length); i++) scopes[i] = t.scopes;
    }
    return scopes;
  });
}

// The independent scan: what each character is, by Wharf's lexical rules.
function classify(text) {
  const lines = text.split("\n");
  const out = [];
  let inBlockComment = false;
  let depth = 0; // inside [ ] or ( ): newlines do not start statements
  for (const line of lines) {
    const kinds = new Array(line.length).fill(null);
    let i = 0;
    let stmtStart = depth === 0;
    while (i < line.length) {
      if (inBlockComment) {
        const end = line.indexOf("*/", i);
        const stop = end < 0 ? line.length : end + 2;
        for (let j = i; j < stop; j++) kinds[j] = "comment";
        i = stop;
        if (end >= 0) inBlockComment = false;
        continue;
      }
      const c = line[i];
      if (c === "/" && line[i + 1] === "/") {
        for (let j = i; j < line.length; j++) kinds[j] = "comment";
        break;
      }
      if (c === "/" && line[i + 1] === "*") {
        inBlockComment = true;
        continue;
      }
      if (c === '"') {
        let j = i + 1;
        while (j < line.length && line[j] !== '"') j += line[j] === "\\" ? 2 : 1;
        for (let k = i; k <= Math.min(j, line.length - 1); k++) kinds[k] = "string";
        i = j + 1;
        stmtStart = false;
        continue;
      }
      if (c === " " || c === "\t") { i++; continue; }
      if (c === "{" || c === ";") { stmtStart = depth === 0; i++; continue; }
      if (c === "[" || c === "(") { depth++; stmtStart = false; i++; continue; }
      if (c === "]" || c === ")") { depth = Math.max(0, depth - 1); i++; continue; }
      const word = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(line.slice(i));
      if (word) {
        if (stmtStart) kinds[i] = "head";
        i += word[0].length;
        stmtStart = false;
        continue;
      }
      const num = /^-?[0-9]+(\.[0-9]+)?(vcpu|units|MiB|GiB|ms|s|m|h|%)?(?![A-Za-z0-9_])/.exec(line.slice(i));
      if (num && (i === 0 || !/[A-Za-z0-9_-]/.test(line[i - 1]))) {
        kinds[i] = "number";
        i += num[0].length;
        stmtStart = false;
        continue;
      }
      stmtStart = false;
      i++;
    }
    out.push(kinds);
  }
  return out;
}

const want = {
  comment: (s) => s.some((x) => x.startsWith("comment.")),
  string: (s) => s.some((x) => x.startsWith("string.")),
  head: (s) => s.some((x) => x.startsWith("keyword.") || x.startsWith("storage.type")),
  number: (s) => s.some((x) => x.startsWith("constant.numeric")),
};

function checkFile(grammar, file, failures) {
  const text = fs.readFileSync(file, "utf8");
  const scopes = tokenize(grammar, text);
  const kinds = classify(text);
  let checked = 0;
  kinds.forEach((line, l) => {
    line.forEach((kind, c) => {
      if (!kind) return;
      checked++;
      const s = scopes[l][c] || [];
      if (!want[kind](s)) {
        failures.push(`${file}:${l + 1}:${c + 1}: expected ${kind}, got ${s.join(" ")}`);
      }
    });
  });
  return { lines: kinds.length, checked };
}

// Exact scopes of chosen words.
const EXACT = [
  ['task web {', "task", "keyword.declaration.wharf"],
  ['task web {', "web", "entity.name.type.wharf"],
  ['  container app { image "nginx:${TAG}" }', "app", "entity.name.function.wharf"],
  ['  container app { image "nginx:${TAG}" }', "image", "keyword.other.property.wharf"],
  ['  container app { image "nginx:${TAG}" }', "TAG", "variable.other.wharf"],
  ["  cpu 0.25vcpu", "0.25", "constant.numeric.wharf"],
  ["  cpu 0.25vcpu", "vcpu", "keyword.other.unit.wharf"],
  ["  autoscale 2..10 cpu 70%", "..", "keyword.operator.range.wharf"],
  ["  autoscale 2..10 cpu 70%", "10", "constant.numeric.wharf"],
  ["input IMAGE_TAG: string = \"v1\"", "IMAGE_TAG", "variable.other.constant.wharf"],
  ["  log_router router = std.firelens()", "firelens", "support.function.wharf"],
  ["service api in prod { task api }", "in", "keyword.other.wharf"],
  ["  public_ip on // why", "on", "constant.language.boolean.wharf"],
  ["  public_ip on // why", "why", "comment.line.double-slash.wharf"],
  ['  secret K = ssm("/k")', "ssm", "entity.name.function.call.wharf"],
];

async function main() {
  const grammar = await loadGrammar();
  const failures = [];
  for (const [line, word, scope] of EXACT) {
    const at = line.indexOf(word, word === "in" ? line.indexOf(" in ") : 0);
    const s = tokenize(grammar, line)[0][at] || [];
    if (!s.includes(scope)) failures.push(`\`${line}\`: \`${word}\` is ${s.join(" ")}, expected ${scope}`);
  }
  const files = [];
  for (const arg of process.argv.slice(2)) {
    const stat = fs.statSync(arg);
    const walk = (p) => {
      if (fs.statSync(p).isDirectory()) fs.readdirSync(p).sort().forEach((f) => walk(path.join(p, f)));
      else if (p.endsWith(".wharf")) files.push(p);
    };
    if (stat.isDirectory()) walk(arg); else files.push(arg);
  }
  let lines = 0, checked = 0;
  for (const f of files) {
    const r = checkFile(grammar, f, failures);
    lines += r.lines;
    checked += r.checked;
  }
  if (failures.length) {
    console.log(failures.slice(0, 50).join("\n"));
    console.log(`${failures.length} mismatches`);
    process.exit(1);
  }
  console.log(`tokenized ${files.length} files, ${lines} lines: ${checked} comments, strings, heads and numbers in the right scopes; ${EXACT.length} exact scopes`);
}

main().catch((e) => { console.error(e); process.exit(1); });

// Encode lines of text with Hugging Face tokenizer libraries for evaluate.py.
//
// Usage: node encode_with_hf.mjs MODEL_DIR TEXT_FILE
// Prints one JSON object per input line: {"rust": [ids], "js": [ids]}, where
// "rust" comes from the npm package `tokenizers` (Node bindings of the Rust
// reference library) and "js" from `@huggingface/tokenizers` (the pure-JS
// implementation that Transformers.js uses). Both load MODEL_DIR/tokenizer.json
// and add [CLS]/[SEP] through its post-processor. The packages are looked up
// in tools/pretrain/.cache/npm (see run.sh).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const [modelDir, textFile] = process.argv.slice(2);
if (!modelDir || !textFile) {
  console.error("usage: node encode_with_hf.mjs MODEL_DIR TEXT_FILE");
  process.exit(2);
}

const cacheDir = join(fileURLToPath(new URL(".", import.meta.url)), ".cache", "npm");
const require = createRequire(join(cacheDir, "package.json"));
const { Tokenizer: RustTokenizer } = require("tokenizers");
const { Tokenizer: JsTokenizer } = require("@huggingface/tokenizers");

const tokenizerPath = join(modelDir, "tokenizer.json");
const rust = RustTokenizer.fromFile(tokenizerPath);
const js = new JsTokenizer(
  JSON.parse(readFileSync(tokenizerPath, "utf8")),
  JSON.parse(readFileSync(join(modelDir, "tokenizer_config.json"), "utf8")),
);

const lines = readFileSync(textFile, "utf8").split("\n").filter((line) => line.length > 0);
for (const line of lines) {
  const rustIds = (await rust.encode(line)).getIds();
  const jsIds = js.encode(line).ids;
  process.stdout.write(JSON.stringify({ rust: rustIds, js: jsIds }) + "\n");
}
